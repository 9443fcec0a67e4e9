import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { importLogs, type FileImportResult } from '../../main/ingest/importer.js';
import { iterateEvents } from '../../main/store/events.js';
import { runNetcase } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { expectCaseSound } from './case-health.js';

const HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum',
];
// Data lines start at line 8, after the seven header lines.
const FIRST_DATA_LINE = HEADER.length + 1;

function line(i: number): string {
  return `1767981600.${String(i).padStart(6, '0')}\tC${i}\t10.0.0.${i}\t1000\t10.0.0.99\t80\ttcp`;
}

function tsv(lines: string[]): string {
  return `${HEADER.join('\n')}\n${lines.join('\n')}\n`;
}

function withInvalidUtf8(text: string, marker: string): Buffer {
  const bytes = Buffer.from(text);
  const at = bytes.indexOf(marker);
  bytes[at] = 0xff;
  bytes[at + 1] = 0xfe;
  return bytes;
}

/** One bad log: the file to import and what the importer must make of it. */
interface BadLog {
  name: string;
  file: string;
  content: () => string | Buffer;
  refused?: RegExp;
  records?: number;
  problems?: { line: number; reason: string | RegExp }[];
  check?: (result: FileImportResult, records: Record<string, unknown>[]) => void;
}

const BAD_LOGS: BadLog[] = [
  {
    name: 'too few fields on a line',
    file: 'conn.log',
    content: () => tsv([line(1), 'too\tfew', line(3)]),
    records: 2,
    problems: [{ line: FIRST_DATA_LINE + 1, reason: 'expected 7 fields, found 2' }],
  },
  {
    name: 'too many fields on a line',
    file: 'conn.log',
    content: () => tsv([line(1), `${line(2)}\textra\tcolumns`, line(3)]),
    records: 2,
    problems: [{ line: FIRST_DATA_LINE + 1, reason: 'expected 7 fields, found 9' }],
  },
  {
    name: 'unknown type in #types',
    file: 'conn.log',
    content: () => tsv([line(1)]).replace('\tenum', '\tfloat128'),
    refused: /conn\.log:7: bad #types header: unknown type "float128" for field proto\. Expected Zeek types such as/,
  },
  {
    name: '#fields and #types of different lengths',
    file: 'conn.log',
    content: () => tsv([line(1)]).replace('\tport\tenum', '\tport'),
    refused: /conn\.log:7: bad header: #fields names 7 columns but #types gives 6 types\. The header must list one type per field\./,
  },
  {
    name: 'bad \\x escapes kept as written',
    file: 'conn.log',
    content: () => tsv([line(1).replace('C1', 'C\\xZZ1'), line(2).replace('C2', 'C\\x4'), line(3).replace('C3', 'C3\\')]),
    records: 3,
    problems: [],
    check: (_result, records) => expect(records.map((record) => record.uid)).toEqual(['C\\xZZ1', 'C\\x4', 'C3\\']),
  },
  {
    name: 'spaces and commas in place of tabs',
    file: 'conn.log',
    content: () => tsv([line(1), line(2).replaceAll('\t', ' '), line(3).replace('\t', ','), line(4)]),
    records: 2,
    problems: [
      { line: FIRST_DATA_LINE + 1, reason: 'expected 7 fields, found 1' },
      { line: FIRST_DATA_LINE + 2, reason: 'expected 7 fields, found 6' },
    ],
  },
  {
    name: 'a 10 MB line',
    file: 'conn.log',
    content: () => tsv([line(1), `${line(2)}${'x'.repeat(10 * 1024 * 1024)}`, line(3)]),
    records: 2,
    problems: [{ line: FIRST_DATA_LINE + 1, reason: 'line is 10.0 MiB long, more than the 4.0 MiB limit' }],
  },
  {
    name: 'invalid UTF-8 in a record',
    file: 'conn.log',
    content: () => withInvalidUtf8(tsv([line(1), 'BAD', line(3)]), 'BAD'),
    records: 2,
    problems: [{ line: FIRST_DATA_LINE + 1, reason: /^invalid UTF-8; Zeek writes UTF-8 and escapes other bytes as \\xNN$/ }],
  },
  {
    name: 'invalid UTF-8 in the #path line',
    file: 'conn.log',
    content: () => withInvalidUtf8(tsv([line(1)]).replace('#path\tconn', '#path\tBADconn'), 'BAD'),
    records: 1,
    problems: [{ line: 5, reason: /^invalid UTF-8/ }],
    // The log type then comes from the file name.
    check: (result) => expect(result.logs).toEqual(['conn']),
  },
  {
    name: 'a port that is not a number',
    file: 'conn.log',
    content: () => tsv([line(1), line(2).replace('\t80\t', '\teighty\t')]),
    records: 1,
    problems: [{ line: FIRST_DATA_LINE + 1, reason: 'field id.resp_p: "eighty" is not an integer' }],
  },
  {
    name: 'a btest-masked timestamp',
    file: 'conn.log',
    content: () => tsv([line(1), line(2).replace(/^[0-9.]+/, 'XXXXXXXXXX.XXXXXX')]),
    records: 1,
    problems: [{ line: FIRST_DATA_LINE + 1, reason: /^field ts: "XXXXXXXXXX\.XXXXXX" is not a time/ }],
  },
  {
    name: 'an unknown header directive',
    file: 'conn.log',
    content: () => tsv([line(1)]).replace('#path', '#bogus\tvalue\n#path'),
    records: 1,
    problems: [{ line: 5, reason: /^unknown header line "#bogus\tvalue"; Zeek writes only/ }],
  },
  {
    name: 'a header that changes mid-file',
    file: 'conn.log',
    content: () => `${tsv([line(1)])}#fields\tts\tuid\tquery\n#types\ttime\tstring\tstring\n1767981601.000000\tCq\texample.org\n`,
    records: 2,
    problems: [],
    check: (_result, records) => expect(records[1]).toEqual({ ts: 1767981601, uid: 'Cq', query: 'example.org' }),
  },
  {
    name: 'two logs concatenated',
    file: 'mixed.log',
    content: () => `${tsv([line(1)])}#close\t2026-01-09-19-00-00\n${tsv([line(2)]).replace('#path\tconn', '#path\tdns')}`,
    records: 2,
    problems: [],
    check: (result) => expect(result.logs).toEqual(['conn', 'dns']),
  },
  {
    name: 'a data line before any header',
    file: 'conn.log',
    content: () => `${line(1)}\n${tsv([line(2)])}`,
    refused: /conn\.log:1: a data line comes before the #fields header\. Expected a Zeek log header \(#separator, #fields, #types\) first\./,
  },
  {
    name: '#fields without #types',
    file: 'conn.log',
    content: () => tsv([line(1)]).replace(/#types[^\n]*\n/, ''),
    refused: /conn\.log:7: the header has #fields but no #types line\. Zeek writes both; restore the header\./,
  },
  {
    name: 'CRLF line endings',
    file: 'conn.log',
    content: () => tsv([line(1), line(2)]).replaceAll('\n', '\r\n'),
    records: 2,
    problems: [],
  },
  {
    name: 'an empty file',
    file: 'conn.log',
    content: () => '',
    refused: /conn\.log is not a Zeek log: empty file\./,
  },
  {
    name: 'meeting notes named conn.log',
    file: 'conn.log',
    content: () => 'Meeting notes\nnothing to see\n',
    refused: /conn\.log is not a Zeek log: its first bytes match no capture or log format\. Expected a Zeek TSV log \(starting with "#separator \\x09"\)/,
  },
  {
    name: 'random bytes named conn.log',
    file: 'conn.log',
    content: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
    refused: /conn\.log is not a Zeek log/,
  },
  {
    name: 'a capture given as a log',
    file: 'trace.log',
    content: () => Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex'),
    refused: /trace\.log is a packet capture \(pcap\), not a Zeek log\. Add it with "netcase add" and run "netcase analyze"\./,
  },
  {
    name: 'a truncated gzip',
    file: 'conn.log.gz',
    content: () => {
      const gz = gzipSync(tsv(Array.from({ length: 5000 }, (_, i) => line(i))));
      return gz.subarray(0, Math.floor(gz.length * 0.6));
    },
    refused: /conn\.log\.gz is a damaged or truncated gzip file .* Nothing from this file was imported; recover the complete file and import it again\./,
  },
  {
    name: 'a gzip bomb',
    file: 'conn.log.gz',
    // 64 MiB of blank-padded lines compress about 1000 times.
    content: () => gzipSync(Buffer.concat([Buffer.from(tsv([line(1)])), Buffer.alloc(64 * 1024 * 1024, `${' '.repeat(1023)}\n`)])),
    refused: /conn\.log\.gz expands more than 100 times \(.* of gzip gave over .*\), which Zeek logs never do; reading stopped as a gzip bomb and nothing from this file was imported\. If the file is genuine, decompress it yourself and import the plain log\./,
  },
  {
    name: 'JSON with duplicate keys',
    file: 'dns.json',
    content: () => '{"ts":1767981600.5,"uid":"C1","uid":"C2","query":"example.org"}\n{"ts":1767981601,"ts":"junk","uid":"C3"}\n',
    records: 1,
    problems: [{ line: 2, reason: 'ts "junk" is not a time (epoch seconds or ISO 8601)' }],
    // The record is stored as written with both keys, and the uid column takes the last, as JSON.parse does.
    check: (_result, records) => expect(records[0]).toEqual({ ts: 1767981600.5, uid: 'C2', query: 'example.org' }),
  },
  {
    name: 'JSON nested 100000 levels deep',
    file: 'dns.json',
    content: () => `{"ts":1767981600,"uid":"C1","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n{"ts":1767981601,"uid":"C2"}\n`,
    records: 1,
    problems: [{ line: 1, reason: 'JSON nested 100001 levels deep, more than the 32 allowed; Zeek writes flat records with arrays for sets and vectors' }],
  },
  {
    name: 'JSON lines that are not objects',
    file: 'dns.json',
    content: () => '{"ts":1767981600,"uid":"C1"}\n[1,2,3]\n"text"\n',
    records: 1,
    problems: [
      { line: 2, reason: 'not a JSON object; Zeek JSON logs hold one object per line' },
      { line: 3, reason: 'not a JSON object; Zeek JSON logs hold one object per line' },
    ],
  },
  {
    name: 'JSON cut off mid-record',
    file: 'dns.json',
    content: () => '{"ts":1767981600,"uid":"C1"}\n{"ts":1767981601,"uid":"C2","query":"exa',
    records: 1,
    problems: [{ line: 2, reason: /^not valid JSON \(/ }],
  },
];

describe('bad Zeek logs', () => {
  it.each(BAD_LOGS.map((bad) => [bad.name, bad] as const))('%s', async (_name, bad) => {
    const work = tempDir();
    const caseDir = join(work, 'case');
    createCase(caseDir, { name: 'bad logs' });
    const path = join(work, bad.file);
    writeFileSync(path, bad.content());

    const opened = openCase(caseDir, { write: true });
    let result: FileImportResult;
    let records: Record<string, unknown>[];
    try {
      result = (await importLogs(opened.db, [path], { actor: 'tester' })).files[0]!;
      records = [...iterateEvents(opened.db, {})].map((event) => JSON.parse(event.record) as Record<string, unknown>);
    } finally {
      opened.close();
    }

    if (bad.refused) {
      expect(result.status).toBe('refused');
      expect(result.message).toContain(path);
      expect(result.message).toMatch(bad.refused);
      expect(records).toEqual([]);
    } else {
      expect(result.message).toBeUndefined();
      expect(result.status).toBe('imported');
      expect(result.records).toBe(bad.records);
      expect(records).toHaveLength(bad.records!);
      expect(result.problems).toEqual((bad.problems ?? []).map((problem) => ({ line: problem.line, reason: typeof problem.reason === 'string' ? problem.reason : expect.stringMatching(problem.reason) })));
      expect(result.skipped).toBe(bad.problems?.length ?? 0);
    }
    bad.check?.(result, records);

    const counts = await expectCaseSound(caseDir);
    expect(counts.events).toBe(bad.refused ? 0 : bad.records);
    expect(counts.imports).toBe(bad.refused ? 0 : 1);
  });

  it('CLI names the file and line of each skipped line', () => {
    const work = tempDir();
    const caseDir = join(work, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'cli']).status).toBe(0);
    const path = join(work, 'conn.log');
    writeFileSync(path, tsv([line(1), 'too\tfew', line(3)]));

    const result = runNetcase(['import-logs', caseDir, path]);
    expect(result.stderr).toContain(`${path}:${FIRST_DATA_LINE + 1}: expected 7 fields, found 2; line skipped`);
    expect(result.stdout).toContain('2 records imported, 1 line skipped');
    expect(result.status).toBe(0);
  });

  it('CLI exits 3 when one of two files is refused', () => {
    const work = tempDir();
    const caseDir = join(work, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'cli']).status).toBe(0);
    writeFileSync(join(work, 'conn.log'), tsv([line(1)]));
    writeFileSync(join(work, 'dns.log'), tsv([line(2)]).replace('\tenum', '\tfloat128'));

    const result = runNetcase(['import-logs', caseDir, join(work, 'conn.log'), join(work, 'dns.log')]);
    expect(result.stderr).toMatch(/dns\.log:7: bad #types header: unknown type "float128"/);
    expect(result.status).toBe(3);
    const events = runNetcase(['events', caseDir, '--json']);
    expect(events.stdout.trim().split('\n')).toHaveLength(1);
  });
});
