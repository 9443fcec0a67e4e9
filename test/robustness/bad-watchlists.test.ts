import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { runNetcase } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { expectCaseSound, suiteDir } from './case-health.js';

const CONN_LOG = [
  '#separator \\x09',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum',
  '1767981600.000000\tC1\t10.0.0.1\t1000\t192.0.2.80\t80\ttcp',
].join('\n');

/** A watchlist with junk in it: what `ioc import` must print, its exit code and the entries kept. */
interface BadWatchlist {
  name: string;
  file: string;
  content: string | Buffer;
  exitCode: number;
  stderr: (string | RegExp)[];
  entries: number;
}

function bundle(objects: unknown[]): string {
  return JSON.stringify({ type: 'bundle', id: 'bundle--6f1f3c39-62d7-4b9b-9d3b-2c4a4b2a8f10', objects });
}

const BAD_WATCHLISTS: BadWatchlist[] = [
  {
    name: 'CSV with junk lines',
    file: 'watch.csv',
    content: 'value,type\n192.0.2.80,ipv4\nnot an ip,ipv4\n,,,,\n\u0001junk\nexample..com,domain\n',
    exitCode: 3,
    stderr: [
      'rejected line 3: Invalid ipv4 "not an ip"',
      'rejected line 4: the value is missing',
      /rejected line 5: Cannot tell the indicator type of ".*junk"\. Pass the type explicitly/,
      'rejected line 6: Invalid domain "example..com": it has an empty label (two dots in a row).',
    ],
    entries: 1,
  },
  {
    name: 'CSV with an unclosed quote',
    file: 'watch.csv',
    content: '192.0.2.80\n"evil.example,domain\n',
    exitCode: 3,
    stderr: ['rejected line 2: a quoted field is not closed, or text follows its closing quote'],
    entries: 1,
  },
  {
    name: 'empty file',
    file: 'watch.csv',
    content: '',
    exitCode: 1,
    stderr: [/watch\.csv contains no indicators\. A CSV watchlist has one value per line/],
    entries: 0,
  },
  {
    name: 'spreadsheet saved as .csv',
    file: 'watch.csv',
    // The start of a zip archive, as an .xlsx file begins.
    content: Buffer.concat([Buffer.from('504b0304140006000800000021000000', 'hex'), Buffer.from('[Content_Types].xml')]),
    exitCode: 1,
    stderr: [/watch\.csv is not a text file \(a NUL byte at offset 5\)\. A watchlist is CSV text in UTF-8 or a STIX 2\.1 JSON bundle; save a spreadsheet as "CSV UTF-8" first\./],
    entries: 0,
  },
  {
    name: 'Latin-1 text',
    file: 'watch.csv',
    content: Buffer.from('192.0.2.80,ipv4,caf\xe9\n', 'latin1'),
    exitCode: 1,
    stderr: [/watch\.csv is not a text file \(invalid UTF-8\)/],
    entries: 0,
  },
  {
    name: 'JSON that is not valid',
    file: 'watch.json',
    content: '{"type": "bundle", "objects": [',
    exitCode: 1,
    stderr: [/watch\.json starts like JSON but is not valid JSON \(.*\)\. Check that it is a STIX 2\.1 bundle\./],
    entries: 0,
  },
  {
    name: 'JSON that is not a bundle',
    file: 'watch.json',
    content: '{"indicators": ["192.0.2.80"]}',
    exitCode: 1,
    stderr: [/watch\.json is JSON but not a STIX 2\.1 bundle \(expected "type": "bundle" with an "objects" list\)\./],
    entries: 0,
  },
  {
    name: 'STIX with a broken pattern',
    file: 'watch.json',
    content: bundle([
      { type: 'indicator', spec_version: '2.1', id: 'indicator--0b3c1f5e-2a9d-4d0e-8c7b-1a2b3c4d5e6f', pattern_type: 'stix', pattern: "[ipv4-addr:value = '192.0.2.80']", valid_from: '2026-01-01T00:00:00Z' },
      { type: 'indicator', spec_version: '2.1', id: 'indicator--1c4d2a6f-3b0e-4e1f-9d8c-2b3c4d5e6f70', pattern_type: 'stix', pattern: "[ipv4-addr:value = '192.0.2.81'", valid_from: '2026-01-01T00:00:00Z' },
    ]),
    exitCode: 3,
    stderr: [/indicator--1c4d2a6f-3b0e-4e1f-9d8c-2b3c4d5e6f70/],
    entries: 1,
  },
  {
    name: 'STIX with duplicate keys',
    file: 'watch.json',
    content: bundle([
      { type: 'indicator', spec_version: '2.1', id: 'indicator--0b3c1f5e-2a9d-4d0e-8c7b-1a2b3c4d5e6f', pattern_type: 'stix', pattern: "[ipv4-addr:value = '192.0.2.80']", valid_from: '2026-01-01T00:00:00Z' },
    ]).replace('"pattern_type":"stix"', '"pattern_type":"snort","pattern_type":"stix"'),
    exitCode: 0,
    stderr: [],
    entries: 1,
  },
];

describe('bad watchlists', () => {
  let sound: string;
  beforeAll(async () => {
    const work = suiteDir('netcase-watchlists-');
    sound = join(work, 'case');
    createCase(sound, { name: 'watchlists' });
    const log = join(work, 'conn.log');
    writeFileSync(log, `${CONN_LOG}\n`);
    const opened = openCase(sound, { write: true });
    try {
      await importLogs(opened.db, [log], { actor: 'tester' });
    } finally {
      opened.close();
    }
  });

  it.each(BAD_WATCHLISTS.map((bad) => [bad.name, bad] as const))('%s', async (_name, bad) => {
    const work = tempDir();
    const caseDir = join(work, 'case');
    cpSync(sound, caseDir, { recursive: true });
    const path = join(work, bad.file);
    writeFileSync(path, bad.content);
    const before = await expectCaseSound(caseDir);

    const result = runNetcase(['ioc', 'import', caseDir, path]);
    for (const expected of bad.stderr) {
      if (typeof expected === 'string') expect(result.stderr).toContain(expected);
      else expect(result.stderr).toMatch(expected);
    }
    expect(result.stderr).not.toContain('internal error');
    expect(result.status).toBe(bad.exitCode);

    const after = await expectCaseSound(caseDir);
    expect(after.auditEntries).toBe(before.auditEntries + (bad.exitCode === 1 ? 0 : 1));
    const matches = runNetcase(['ioc', 'matches', caseDir, '--json']);
    expect(matches.status).toBe(0);
    expect(matches.stdout.includes('192.0.2.80')).toBe(bad.entries > 0);
  });
});
