// The case behind the brush benchmark: about one million events of six log types over six
// hours, with a busy and a quiet stretch every hour so the histogram has a shape. The logs go
// through the real importer, so the count tables the timeline reads are the ones an analyst
// gets. Building it takes minutes, so the case is kept and reused by later runs.
//
//   npx tsx test/bench/brush-case.ts --dir DIR [--events 1000000]
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';

export const START_SECONDS = 1_767_960_000;
export const SPAN_SECONDS = 6 * 3600;

/** Share of each log type in the generated set. */
const MIX: [string, number][] = [
  ['conn', 0.45],
  ['dns', 0.25],
  ['ssl', 0.15],
  ['http', 0.1],
  ['files', 0.03],
  ['smtp', 0.02],
];

/** Deterministic pseudo-random numbers (mulberry32), so every run generates the same case. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Maps an even share u in [0, 1) to a time offset in seconds. The warp is monotonic (its
 * slope stays between 0.2 and 1.8), so the event rate swings by a factor of nine each hour.
 */
function warp(u: number): number {
  const cycles = 6;
  return SPAN_SECONDS * (u + (0.8 * Math.sin(2 * Math.PI * cycles * u)) / (2 * Math.PI * cycles));
}

async function writeLog(path: string, log: string, count: number, next: () => number): Promise<void> {
  const out = createWriteStream(path);
  const internal = (i: number): string => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  const external = (i: number): string => `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  const domain = (i: number): string => `host${i}.site${i % 997}.${['com', 'net', 'org', 'io', 'de'][i % 5]}`;

  for (let index = 0; index < count; index++) {
    const ts = Number((START_SECONDS + warp(index / count) + next() * 0.5).toFixed(6));
    const domainIndex = Math.floor(10_000 * next() ** 3);
    const base = { ts, uid: `C${index.toString(36)}${log}`, 'id.orig_h': internal(Math.floor(500 * next() ** 3)), 'id.orig_p': 1024 + (index % 60000) };
    const server = external(domainIndex);
    let record: object;
    switch (log) {
      case 'conn':
        record = { ...base, 'id.resp_h': server, 'id.resp_p': 443, proto: 'tcp', service: 'ssl', duration: 0.2, orig_bytes: 800, resp_bytes: 20000, conn_state: 'SF' };
        break;
      case 'dns':
        record = { ...base, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, proto: 'udp', query: domain(domainIndex), qtype_name: 'A', rcode_name: 'NOERROR', answers: [server] };
        break;
      case 'http':
        record = { ...base, 'id.resp_h': server, 'id.resp_p': 80, method: 'GET', host: domain(domainIndex), uri: `/page/${index % 50}`, user_agent: `Agent/${index % 20}`, status_code: 200 };
        break;
      case 'smtp':
        record = { ...base, 'id.resp_h': server, 'id.resp_p': 587, mailfrom: `user${index % 40}@example.com`, rcptto: [`box${index % 7}@${domain(domainIndex)}`], subject: `Report ${index}` };
        break;
      case 'files':
        record = { ts, fuid: `F${index.toString(36)}`, uid: `C${index.toString(36)}http`, source: 'HTTP', mime_type: 'text/html', seen_bytes: 1500, total_bytes: 1500 };
        break;
      default:
        record = { ...base, 'id.resp_h': server, 'id.resp_p': 443, version: 'TLSv13', server_name: domain(domainIndex), established: true };
    }
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Returns the case folder inside `dir`, generating and importing the logs first if no finished case is there. */
export async function ensureBrushCase(dir: string, events: number): Promise<string> {
  const caseDir = join(dir, 'case');
  const doneMarker = join(dir, 'imported');
  if (existsSync(doneMarker)) return caseDir;

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const next = random(7);
  const paths: string[] = [];
  for (const [log, share] of MIX) {
    const path = join(dir, `${log}.log`);
    await writeLog(path, log, Math.round(events * share), next);
    paths.push(path);
  }

  createCase(caseDir, { name: 'Brush bench', analyst: 'Bench', tool: 'bench' });
  const opened = openCase(caseDir, { write: true, tool: 'bench' });
  try {
    const started = performance.now();
    const summary = await importLogs(opened.db, paths, { actor: 'Bench' });
    console.error(`Imported ${summary.records} events in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    opened.close();
  }
  for (const path of paths) rmSync(path);
  createWriteStream(doneMarker).end();
  return caseDir;
}

if (process.argv[1]?.endsWith('brush-case.ts')) {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, events: { type: 'string', default: '1000000' } } });
  if (values.dir === undefined) {
    console.error('Give the folder for the case with --dir DIR.');
    process.exit(2);
  }
  console.log(await ensureBrushCase(values.dir, Number(values.events)));
}
