import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

/** One Zeek log record as written by `LogAscii::use_json=T`: flat dotted keys, unset fields absent. */
export type ZeekRecord = Record<string, string | number | boolean | string[] | number[]>;

/** Zeek's JSON time: epoch seconds as a number with microsecond resolution. */
export function microsToZeekTime(micros: number): number {
  return micros / 1_000_000;
}

/** Zeek's JSON interval: seconds as a number. */
export function microsToZeekInterval(micros: number): number {
  return micros / 1_000_000;
}

/**
 * Writes records as a Zeek JSON log (one object per line), sorted by `ts` as Zeek writes them
 * when a capture is read in order, and returns the file path.
 */
export async function writeZeekJsonLog(dir: string, name: string, records: ZeekRecord[]): Promise<string> {
  const path = join(dir, `${name}.log`);
  const sorted = [...records].sort((a, b) => (a.ts as number) - (b.ts as number));
  const out = createWriteStream(path, { encoding: 'utf8' });
  for (const record of sorted) {
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}
