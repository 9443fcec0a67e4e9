import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCase, openCase, type OpenCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { rebuildAnalysis } from '../../main/analysis/indexer.js';
import { removeRunImports } from '../../main/engines/engine-runs.js';
import { markEvent, listMarks } from '../../main/report/marks.js';
import { importWatchlist } from '../../main/iocs/watchlist.js';
import { listAudit } from '../../main/case/audit.js';
import { analysisSnapshot } from '../helpers/analysis-snapshot.js';
import { writeConnLog } from '../helpers/generate-logs.js';
import { tempDir } from '../helpers/temp.js';

const RUN_ID = '20260109T180000Z-0a1b2c';

function newCase(): OpenCase {
  const dir = join(tempDir(), 'case');
  createCase(dir, { name: 'rollback' });
  return openCase(dir, { write: true });
}

/** Writes the logs of an engine run: DNS and conn records that name hosts and a domain found nowhere else. */
function writeRunLogs(): string {
  const dir = join(tempDir(), 'run-logs');
  mkdirSync(dir);
  const dns = Array.from({ length: 50 }, (_, index) =>
    JSON.stringify({ ts: 1767981700 + index, uid: `Dns${index}`, 'id.orig_h': '10.9.0.1', 'id.orig_p': 5353, 'id.resp_h': '10.9.0.53', 'id.resp_p': 53, proto: 'udp', query: 'rolledback.example', answers: ['203.0.113.9'] }),
  );
  const conn = Array.from({ length: 50 }, (_, index) =>
    JSON.stringify({ ts: 1767981800 + index, uid: `Conn${index}`, 'id.orig_h': '10.9.0.1', 'id.orig_p': 40000 + index, 'id.resp_h': '203.0.113.9', 'id.resp_p': 443, proto: 'tcp', service: 'ssl', orig_bytes: 100, resp_bytes: 2000 }),
  );
  writeFileSync(join(dir, 'dns.log'), `${dns.join('\n')}\n`);
  writeFileSync(join(dir, 'conn.log'), `${conn.join('\n')}\n`);
  return dir;
}

describe('engine run rollback', () => {
  it('leaves the analysis as a rebuild would', async () => {
    const opened = newCase();
    const before = join(tempDir(), 'conn.log');
    const after = join(tempDir(), 'later-conn.log');
    await writeConnLog(before, 300);
    await writeConnLog(after, 200, 1767985200);
    await importLogs(opened.db, [before], { actor: 'tester' });
    await importLogs(opened.db, [writeRunLogs()], { actor: 'tester', runId: RUN_ID });
    await importLogs(opened.db, [after], { actor: 'tester' });

    expect(removeRunImports(opened, RUN_ID, 'the run was cancelled')).toEqual({ imports: 2, events: 100 });

    const rolledBack = analysisSnapshot(opened.db);
    rebuildAnalysis(opened.db);
    expect(rolledBack).toEqual(analysisSnapshot(opened.db));
    expect(opened.db.prepare(`SELECT COUNT(*) FROM entities WHERE value IN ('rolledback.example', '10.9.0.1', '203.0.113.9')`).pluck().get()).toBe(0);
    opened.close();
  });

  it('keeps no text matches for reused ids', async () => {
    const opened = newCase();
    const later = join(tempDir(), 'conn.log');
    await writeConnLog(later, 300);
    await importLogs(opened.db, [writeRunLogs()], { actor: 'tester', runId: RUN_ID });
    removeRunImports(opened, RUN_ID, 'the run was cancelled');

    // The next import numbers its events from the first free id, which the removed run had used.
    await importLogs(opened.db, [later], { actor: 'tester' });

    expect(opened.db.prepare('SELECT MIN(id) FROM events').pluck().get()).toBe(1);
    expect(opened.db.prepare(`SELECT rowid FROM events_fts WHERE events_fts MATCH '"rolledback"'`).pluck().all()).toEqual([]);
    opened.close();
  });

  it('removes marks and matches of removed events', async () => {
    const opened = newCase();
    const otherLog = join(tempDir(), 'conn.log');
    const watchlist = join(tempDir(), 'watchlist.csv');
    await writeConnLog(otherLog, 20);
    writeFileSync(watchlist, 'domain,rolledback.example\n');
    await importLogs(opened.db, [otherLog], { actor: 'tester' });
    await importLogs(opened.db, [writeRunLogs()], { actor: 'tester', runId: RUN_ID });
    // What an analyst can do while a run is stopped part way: mark its events, match a watchlist.
    const runEventId = opened.db.prepare('SELECT MIN(id) FROM events WHERE uid = ?').pluck().get('Dns0') as number;
    markEvent(opened, runEventId, 'first lookup');
    markEvent(opened, 1, 'kept');
    expect(importWatchlist(opened.db, 'tester', watchlist).matches).toHaveLength(1);

    removeRunImports(opened, RUN_ID, 'the run did not finish');

    expect(listMarks(opened).map((mark) => mark.eventId)).toEqual([1]);
    expect(opened.db.prepare('SELECT COUNT(*) FROM watchlist_matches').pluck().get()).toBe(0);
    const rollback = listAudit(opened.db).find((entry) => entry.action === 'engine.run.rollback');
    expect(JSON.parse(rollback!.details)).toMatchObject({ events_removed: 100, marks_removed: 1, watchlist_matches_removed: 50 });
    opened.close();
  });
});
