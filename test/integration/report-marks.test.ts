import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { listAudit } from '../../main/case/audit.js';
import { importLogs } from '../../main/ingest/importer.js';
import { createServices } from '../../main/services.js';
import { microsToIso } from '../../main/time.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const services = createServices('netcase-test');

async function simdaCase(): Promise<{ dir: string; work: string }> {
  const work = tempDir();
  const dir = join(work, 'case');
  createCase(dir, { name: 'Simda', analyst: 'Ana Lyst' });
  const opened = openCase(dir, { write: true });
  try {
    await importLogs(opened.db, [sharedPath('corpus/zeek-logs/stratosphere-security-datasets-for-testing/005-zeek-scenario-malicious')], { actor: opened.actor });
  } finally {
    opened.close();
  }
  return { dir, work };
}

function eventAt(dir: string, log: string): { id: number; ts: number } {
  const opened = openCase(dir, { write: false });
  try {
    return opened.db.prepare('SELECT id, ts FROM events WHERE log = ? ORDER BY ts DESC LIMIT 1').get(log) as { id: number; ts: number };
  } finally {
    opened.close();
  }
}

describeWithShared('report timeline marks', () => {
  it('puts a marked event on the key timeline', async () => {
    const { dir, work } = await simdaCase();
    const event = eventAt(dir, 'http');
    const mark = await services.markEvent(dir, event.id, 'Last check-in before the host went quiet');
    expect(mark).toMatchObject({ eventId: event.id, ts: event.ts, log: 'http' });

    await services.exportReport(dir, { out: join(work, 'report.pdf'), markdown: join(work, 'report.md') });
    const markdown = readFileSync(join(work, 'report.md'), 'utf8');
    const row = markdown.split('\n').find((line) => line.includes('Last check-in before the host went quiet'));
    expect(row).toBeDefined();
    expect(row).toContain(microsToIso(event.ts).slice(11, 23));
    expect(row).toMatch(/Marked http event \S+ → \S+:\d+ \(C\w+\): Last check-in/);

    const opened = openCase(dir, { write: false });
    const actions = listAudit(opened.db).map((entry) => entry.action);
    opened.close();
    expect(actions).toContain('report.mark');
  });

  it('summarises a mark without a note', async () => {
    const { dir, work } = await simdaCase();
    const event = eventAt(dir, 'dns');
    await services.markEvent(dir, event.id);
    await services.exportReport(dir, { out: join(work, 'report.pdf'), markdown: join(work, 'report.md') });
    expect(readFileSync(join(work, 'report.md'), 'utf8')).toMatch(/Marked dns event \S+ → \S+:53/);
  });

  it('unmarks and rejects unknown events', async () => {
    const { dir } = await simdaCase();
    const event = eventAt(dir, 'conn');
    await services.markEvent(dir, event.id, 'first note');
    await services.markEvent(dir, event.id, 'second note');
    expect((await services.listMarks(dir)).map((mark) => mark.note)).toEqual(['second note']);
    expect(await services.unmarkEvent(dir, event.id)).toBe(true);
    expect(await services.unmarkEvent(dir, event.id)).toBe(false);
    expect(await services.listMarks(dir)).toEqual([]);
    await expect(services.markEvent(dir, 999_999)).rejects.toThrow(/Event 999999 not found/);
  });
});
