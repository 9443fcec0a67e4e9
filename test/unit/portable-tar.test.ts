import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../main/carve/byte-reader.js';
import { readTar, TarWriter } from '../../main/case/portable/tar.js';
import { tempDir } from '../helpers/temp.js';

const LONG_NAME = `engine/${'a'.repeat(60)}/${'b'.repeat(60)}/conn.log`;
const UNICODE_NAME = 'reports/Bericht-Prüfung.pdf';

async function writeArchive(path: string, members: [string, string][]): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    const tar = new TarWriter(handle);
    for (const [name, text] of members) {
      const data = Buffer.from(text, 'utf8');
      await tar.addFile(name, data.length, 1_700_000_000, [data]);
    }
    await tar.finish();
  } finally {
    await handle.close();
  }
}

async function readArchive(path: string): Promise<[string, string][]> {
  const members: [string, string][] = [];
  await readTar(new ByteReader(createReadStream(path)), async (entry, data) => {
    const chunks: Buffer[] = [];
    for await (const chunk of data) chunks.push(chunk);
    members.push([entry.name, Buffer.concat(chunks).toString('utf8')]);
  });
  return members;
}

describe('portable case tar', () => {
  it('round-trips long and non-ASCII names', async () => {
    const path = join(tempDir(), 'names.tar');
    const members: [string, string][] = [
      ['case.json', '{"a":1}'],
      [LONG_NAME, 'x'.repeat(1500)],
      [UNICODE_NAME, 'pdf'],
      ['empty.txt', ''],
    ];
    await writeArchive(path, members);
    expect(await readArchive(path)).toEqual(members);
    expect(readFileSync(path).length % 10240).toBe(0);
  });

  it('is readable by the system tar', async () => {
    const path = join(tempDir(), 'system.tar');
    await writeArchive(path, [[LONG_NAME, 'long'], [UNICODE_NAME, 'pdf']]);
    const listed = execFileSync('tar', ['-tf', path], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual([LONG_NAME, UNICODE_NAME]);
  });

  it('rejects unsafe names when writing', async () => {
    const dir = tempDir();
    const names = ['../x', '/etc/passwd', 'a//b', 'a\\b', 'C:/x', './x'];
    for (const [index, name] of names.entries()) {
      await expect(writeArchive(join(dir, `unsafe-${index}.tar`), [[name, 'x']])).rejects.toThrow(/unsafe/);
    }
  });

  it('rejects a truncated archive', async () => {
    const dir = tempDir();
    const path = join(dir, 'whole.tar');
    await writeArchive(path, [['a.txt', 'hello']]);
    const cut = join(dir, 'cut.tar');
    writeFileSync(cut, readFileSync(path).subarray(0, 512 + 3));
    await expect(readArchive(cut)).rejects.toThrow(/truncated/);
  });
});
