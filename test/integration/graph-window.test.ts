import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenCase } from '../../main/case/case-folder.js';
import { buildGraph } from '../../main/analysis/graph.js';
import { caseWithLogs } from '../helpers/analysis-case.js';
import { connLogText } from '../helpers/generate-logs.js';
import { tempDir } from '../helpers/temp.js';

// An hour-aligned start, so windows can straddle hour and minute boundaries on purpose.
const START = 1_767_981_600;
const SECOND = 1_000_000;

let opened: OpenCase | undefined;
afterEach(() => {
  opened?.close();
  opened = undefined;
});

/** Connections every 7 seconds for three hours between five clients and three servers. */
async function threeHourCase(): Promise<OpenCase> {
  const lines: string[] = [];
  for (let i = 0; i < (3 * 3600) / 7; i++) {
    const ts = (START + i * 7 + 0.25).toFixed(6);
    lines.push(`${ts}\tC${i.toString(36).padStart(17, '0')}\t10.1.0.${i % 5}\t${1024 + i}\t198.51.100.${i % 3}\t443\ttcp\tssl\t0.5\t${i % 900}\t${i % 7000}\tSF\tShADadFf\t(empty)`);
  }
  const path = join(tempDir('netcase-graph-window-'), 'conn.log');
  writeFileSync(path, connLogText(lines));
  opened = await caseWithLogs([path]);
  return opened;
}

/** Sums each relation's count and bytes over its one-second buckets, the finest record kept. */
function perSecondTotals(db: OpenCase['db'], from: number, to: number): Map<number, { count: number; bytes: number }> {
  const rows = db
    .prepare('SELECT relation_id, SUM(count) AS count, SUM(bytes) AS bytes FROM relation_buckets WHERE width = 1 AND bucket >= ? AND bucket < ? GROUP BY relation_id')
    .all(Math.floor(from / SECOND), Math.ceil(to / SECOND)) as { relation_id: number; count: number; bytes: number }[];
  return new Map(rows.map((row) => [row.relation_id, { count: row.count, bytes: row.bytes }]));
}

describe('windowed graph', () => {
  it('matches per-second sums for windows across hours', async () => {
    const { db } = await threeHourCase();
    const windows: [number, number][] = [
      [(START + 17.25) * SECOND, (START + 3600 + 17.25) * SECOND],
      [(START + 3590) * SECOND, (START + 7210) * SECOND],
      [(START + 5) * SECOND, (START + 3595) * SECOND],
      [(START + 61) * SECOND, (START + 119) * SECOND],
      [(START + 3600) * SECOND, (START + 7200) * SECOND],
      [(START + 1) * SECOND, (START + 3 * 3600 - 1) * SECOND],
    ];

    for (const [from, to] of windows) {
      const graph = buildGraph(db, { from, to, maxEdges: 10_000 });
      const expected = perSecondTotals(db, from, to);
      const actual = new Map(graph.edges.map((edge) => [edge.id, { count: edge.count, bytes: edge.bytes }]));

      expect(actual.size, `${from}..${to}`).toBeGreaterThan(0);
      expect(actual, `${from}..${to}`).toEqual(expected);
    }
  });

  it('applies the minimum count to the window sums', async () => {
    const { db } = await threeHourCase();
    const from = (START + 17.25) * SECOND;
    const to = (START + 3600 + 17.25) * SECOND;

    const counts = buildGraph(db, { from, to, maxEdges: 10_000 }).edges.map((edge) => edge.count);
    const threshold = Math.max(...counts);
    const heavy = buildGraph(db, { from, to, maxEdges: 10_000, minCount: threshold });

    expect(heavy.edges.length).toBe(counts.filter((count) => count >= threshold).length);
    expect(heavy.edges.every((edge) => edge.count >= threshold)).toBe(true);
  });
});
