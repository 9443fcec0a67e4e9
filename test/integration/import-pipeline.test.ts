import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCase, openCase, type OpenCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { rebuildAnalysis } from '../../main/analysis/indexer.js';
import { EVENT_INDEXES, shouldRebuildEventIndexes } from '../../main/store/event-indexes.js';
import { tempDir } from '../helpers/temp.js';
import { writeConnLog } from '../helpers/generate-logs.js';
import { analysisSnapshot } from '../helpers/analysis-snapshot.js';

function newCase(): OpenCase {
  const dir = join(tempDir(), 'case');
  createCase(dir, { name: 'pipeline' });
  return openCase(dir, { write: true });
}

function indexSql(opened: OpenCase): Record<string, string> {
  const rows = opened.db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL`).all() as Array<{ name: string; sql: string }>;
  return Object.fromEntries(rows.map((row) => [row.name, row.sql.replace(/\s+/g, ' ').replace(' IF NOT EXISTS', '')]));
}

describe('import pipeline', () => {
  it('lists the event indexes as the schema has them', () => {
    const opened = newCase();
    const expected = Object.fromEntries(EVENT_INDEXES.map((index) => [index.name, index.sql]));
    expect(indexSql(opened)).toEqual(expected);
    opened.close();
  });

  it('rebuilds the event indexes only for large files', () => {
    expect(shouldRebuildEventIndexes(0, 1000)).toBe(true);
    expect(shouldRebuildEventIndexes(30000, 250 * 9000)).toBe(false);
    expect(shouldRebuildEventIndexes(30000, 250 * 11000)).toBe(true);
  });

  it('keeps every event index after a bulk import', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'conn.log');
    await writeConnLog(path, 3000);
    const summary = await importLogs(opened.db, [path], { actor: 'tester' });
    expect(summary.records).toBe(3000);
    expect(indexSql(opened)).toEqual(Object.fromEntries(EVENT_INDEXES.map((index) => [index.name, index.sql])));
    const plan = opened.db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM events WHERE uid = 'C1'`).all() as Array<{ detail: string }>;
    expect(plan.map((step) => step.detail).join(' ')).toContain('events_uid');
    opened.close();
  });

  for (const [where, parseInWorkerFromBytes] of [['this thread', Infinity], ['a parse worker', 0]] as const) {
    it(`stores rebuild's rows, parsing on ${where}`, async () => {
      const opened = newCase();
      const first = join(tempDir(), 'conn.log');
      const second = join(tempDir(), 'more-conn.log');
      await writeConnLog(first, 2500);
      await writeConnLog(second, 400, 1767985200);
      const summary = await importLogs(opened.db, [first, second], { actor: 'tester', parseInWorkerFromBytes });
      expect(summary.records).toBe(2900);
      const imported = analysisSnapshot(opened.db);
      expect(imported.entities.length).toBeGreaterThan(0);
      expect(imported.relationBuckets.length).toBeGreaterThan(0);
      expect(imported.text.length).toBeGreaterThan(0);

      rebuildAnalysis(opened.db);
      expect(analysisSnapshot(opened.db)).toEqual(imported);
      opened.close();
    });
  }

  it('reports a worker read failure', async () => {
    const opened = newCase();
    const plain = join(tempDir(), 'plain.log');
    const path = join(tempDir(), 'conn.log.gz');
    await writeConnLog(plain, 5000);
    const whole = gzipSync(readFileSync(plain));
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    const result = (await importLogs(opened.db, [path], { actor: 'tester', parseInWorkerFromBytes: 0 })).files[0]!;
    expect(result.status).toBe('refused');
    expect(result.message).toContain('damaged or truncated gzip');
    expect(opened.db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0);
    opened.close();
  });

  it('stops the worker on cancel', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'conn.log');
    await writeConnLog(path, 60_000);
    const controller = new AbortController();
    const importing = importLogs(opened.db, [path], {
      actor: 'tester',
      parseInWorkerFromBytes: 0,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.records > 0) controller.abort();
      },
    });
    await expect(importing).rejects.toThrow(/cancelled/);
    expect(opened.db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0);
    expect(opened.db.prepare('SELECT COUNT(*) FROM imports').pluck().get()).toBe(0);
    opened.close();
  });

  it('stores a lone surrogate as U+FFFD', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'http.log');
    const record = { ts: 1767981600.5, uid: 'CS1', 'id.orig_h': '10.0.0.5', 'id.orig_p': 50000, 'id.resp_h': '203.0.113.9', 'id.resp_p': 80, method: 'GET', host: 'example.org', uri: '/', user_agent: 'agent-\\ud800-x' };
    writeFileSync(path, `${JSON.stringify(record).replace('agent-\\\\ud800-x', 'agent-\\ud800-x')}\n`);
    const summary = await importLogs(opened.db, [path], { actor: 'tester' });
    expect(summary.records).toBe(1);
    const agents = opened.db.prepare(`SELECT value FROM entities WHERE kind = 'user_agent'`).pluck().all();
    expect(agents).toEqual(['agent-\uFFFD-x']);
    const links = opened.db.prepare(`SELECT COUNT(*) FROM relations WHERE kind = 'used_agent'`).pluck().get();
    expect(links).toBe(1);
    opened.close();
  });
});
