import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createCase, openCase, type OpenCase } from '../../main/case/case-folder.js';
import { importLogs, type FileImportResult } from '../../main/ingest/importer.js';
import { epochTextToMicros, isoToMicros } from '../../main/time.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';
import { copyBaselineAsLog, listFiles, readIndependently, relativeName, type IndependentRecord } from '../helpers/zeek-fixtures.js';

const LOG_FILE = /\.(log|json|ndjson|tsv|cut)(\.[a-z]+)?(\.gz)?$/;

function newCase(): OpenCase {
  const dir = join(tempDir(), 'case');
  createCase(dir, { name: 'corpus', analyst: 'tester' });
  return openCase(dir, { write: true });
}

function rowsOf(opened: OpenCase, path: string): { ts: number | null; uid: string | null; orig_h: string | null; resp_p: number | null; record: string }[] {
  return opened.db
    .prepare('SELECT e.ts, e.uid, e.orig_h, e.resp_p, e.record FROM events e JOIN imports i ON i.id = e.import_id WHERE i.source_path = ? ORDER BY e.line')
    .all(path) as never;
}

function expectSameRecord(row: ReturnType<typeof rowsOf>[number] | undefined, expected: IndependentRecord | undefined, label: string): void {
  expect(row, label).toBeDefined();
  if (!row || !expected) return;
  expect(row.uid ?? undefined, `${label} uid`).toBe(expected.uid);
  expect(row.orig_h ?? undefined, `${label} id.orig_h`).toBe(expected.orig_h);
  expect(row.resp_p === null ? undefined : String(row.resp_p), `${label} id.resp_p`).toBe(expected.resp_p);
  if (expected.ts !== undefined) expect(row.ts, `${label} ts`).toBe(epochTextToMicros(expected.ts) ?? isoToMicros(expected.ts));
}

function checkFile(opened: OpenCase, result: FileImportResult): void {
  const expected = readIndependently(result.path);
  if (result.status === 'already-imported') {
    // Two files with identical content: the second adds nothing, by design.
    const twin = /from (\S+)$/.exec(result.message ?? '')?.[1];
    expect(twin, result.message).toBeDefined();
    expect(readFileSync(result.path)).toEqual(readFileSync(twin!));
    return;
  }
  expect(result.status, `${result.path}: ${result.message ?? ''}`).toBe('imported');
  expect(result.skipped, `${result.path} skipped lines: ${JSON.stringify(result.problems.slice(0, 3))}`).toBe(0);
  expect(result.records, `${result.path} record count`).toBe(expected.count);
  const rows = rowsOf(opened, result.path);
  expect(rows).toHaveLength(expected.count);
  if (expected.count > 0) {
    expectSameRecord(rows[0], expected.first, `${result.path} first record`);
    expectSameRecord(rows[rows.length - 1], expected.last, `${result.path} last record`);
  }
}

describeWithShared('corpus import', () => {
  // The corpus contains about 190,000 records; every one also goes through the analysis indexer.
  it('imports every Zeek log set in the corpus', { timeout: 600_000 }, async () => {
    const opened = newCase();
    try {
      const summary = await importLogs(opened.db, [sharedPath('corpus/zeek-logs')], { actor: 'tester' });
      const logFiles = listFiles(sharedPath('corpus/zeek-logs')).filter((path) => LOG_FILE.test(path));
      expect(summary.files.map((file) => file.path).sort()).toEqual(logFiles);
      expect(summary.files.length).toBeGreaterThan(70);
      for (const file of summary.files) checkFile(opened, file);

      const dns = summary.files.find((file) => file.path.endsWith('zeek-default/dns.log.gz'))!;
      expect(dns.records).toBe(53615);
      const first = JSON.parse(rowsOf(opened, dns.path)[0]!.record) as Record<string, unknown>;
      expect(first.query).toBe('ise.wrccdc.org');
      expect(first.answers).toEqual(['ise.wrccdc.cpp.edu', '134.71.3.16']);
      expect(first.TTLs).toEqual([2230, 41830]);
    } finally {
      opened.close();
    }
  });

  it('imports every Zeek baseline once the btest markers are removed', { timeout: 300_000 }, async () => {
    const fixtures = tempDir();
    const sources = [...listFiles(sharedPath('corpus/zeek-traces')), ...listFiles(sharedPath('corpus/edge'))].filter((path) => path.includes('/baseline/') && LOG_FILE.test(path));
    expect(sources.length).toBeGreaterThan(30);
    for (const source of sources) copyBaselineAsLog(source, join(fixtures, relativeName(sharedPath('corpus'), source)));

    const opened = newCase();
    try {
      const summary = await importLogs(opened.db, [fixtures], { actor: 'tester' });
      expect(summary.files).toHaveLength(sources.length);
      for (const file of summary.files) checkFile(opened, file);

      const http = summary.files.find((file) => file.path.includes('http-ctu-62604-c2sock'))!;
      const record = JSON.parse(rowsOf(opened, http.path)[0]!.record) as Record<string, unknown>;
      expect(record).toMatchObject({ method: 'POST', uri: '/c2sock', user_agent: 'TeslaBrowser/5.5', status_code: 200, orig_fuids: ['FRFbbs2RvHczKwgY71', 'FFQUrFEkBONPMqhzk', 'FJlHyK2wVwlOqO4gH', 'FrMUd332s9o4Gd6qMj'] });
    } finally {
      opened.close();
    }
  });

  it('rejects btest banners and masked timestamps as malformed lines', async () => {
    const opened = newCase();
    const path = sharedPath('corpus/zeek-traces/wikipedia-mixed/baseline/opt.basic/conn.log');
    try {
      const result = (await importLogs(opened.db, [path], { actor: 'tester' })).files[0]!;
      expect(result.status).toBe('imported');
      expect(result.records).toBe(0);
      expect(result.problems[0]).toMatchObject({ line: 1, reason: expect.stringContaining('unknown header line') });
      expect(result.problems[1]).toMatchObject({ line: 10, reason: expect.stringContaining('field ts') });
      const dataLines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
      expect(result.skipped).toBe(dataLines.length + 1);
    } finally {
      opened.close();
    }
  });
});

describeWithShared('TSV and JSON parity', () => {
  let tsv: Map<string, string>;
  let json: Map<string, string>;

  beforeAll(async () => {
    const load = async (file: string): Promise<Map<string, string>> => {
      const opened = newCase();
      try {
        await importLogs(opened.db, [sharedPath('corpus/zeek-logs/brimdata-zed-sample-data', file)], { actor: 'tester' });
        const rows = opened.db.prepare('SELECT ts, uid, orig_h, orig_p, resp_h, resp_p, record FROM events ORDER BY ts, id').all() as { ts: number; uid: string; orig_h: string; orig_p: number; resp_h: string; resp_p: number; record: string }[];
        const keyed = new Map<string, string>();
        for (const [i, row] of rows.entries()) {
          const record = JSON.parse(row.record) as Record<string, unknown>;
          const observable = JSON.stringify([row.ts, row.uid, row.orig_h, row.orig_p, row.resp_h, row.resp_p, record.query ?? null, record.qtype_name ?? null, record.rcode_name ?? null, record.answers ?? null, record.trans_id ?? null]);
          keyed.set(`${observable}#${i}`, observable);
        }
        return keyed;
      } finally {
        opened.close();
      }
    };
    tsv = await load('zeek-default/dns.log.gz');
    json = await load('zeek-json/dns.json.gz');
  }, 600_000);

  it('imports the DNS log as TSV and JSON to the same records', () => {
    expect(tsv.size).toBe(53615);
    expect(json.size).toBe(tsv.size);
    const sortedTsv = [...tsv.values()].sort();
    const sortedJson = [...json.values()].sort();
    const firstDifference = sortedTsv.findIndex((value, i) => value !== sortedJson[i]);
    expect(firstDifference, `first difference: TSV ${sortedTsv[firstDifference]} vs JSON ${sortedJson[firstDifference]}`).toBe(-1);
  });
});
