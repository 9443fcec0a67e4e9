import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openCase } from '../../main/case/case-folder.js';
import { verifyAudit } from '../../main/case/audit.js';
import { runNetcase, startNetcase } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { connLine, connLogText, writeConnLog } from '../helpers/generate-logs.js';

function eventCount(dir: string): { events: number; imports: number } {
  const opened = openCase(dir, { write: false });
  try {
    return {
      events: (opened.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n,
      imports: (opened.db.prepare('SELECT COUNT(*) AS n FROM imports').get() as { n: number }).n,
    };
  } finally {
    opened.close();
  }
}

describe('netcase CLI', () => {
  it('creates a case, imports logs and prints events as Zeek JSON', () => {
    const dir = join(tempDir(), 'case');
    const logs = tempDir();
    writeFileSync(join(logs, 'conn.log'), connLogText([connLine(1), connLine(2), connLine(3)]));

    expect(runNetcase(['case', 'create', dir, '--name', 'CLI case', '--analyst', 'Dana']).status).toBe(0);
    const imported = runNetcase(['import-logs', dir, logs]);
    expect(imported.stdout).toContain('3 records (conn, tsv)');
    expect(imported.status).toBe(0);

    const listed = runNetcase(['events', dir, '--log', 'conn', '--from', '1767981600.001', '--json']);
    expect(listed.status).toBe(0);
    const records = listed.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ _path: 'conn', ts: 1767981600.001, uid: 'C00000000000000001', 'id.resp_p': 443, tunnel_parents: [] });

    const byDate = runNetcase(['events', dir, '--from', '2026-01-09', '--to', '2026-01-10', '--json']);
    expect(byDate.stdout.trim().split('\n')).toHaveLength(3);

    const typo = runNetcase(['events', dir, '--log', 'con']);
    expect(typo.status).toBe(0);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toContain('The case has no "con" events. Its logs: conn.');

    const info = runNetcase(['case', 'info', dir, '--json']);
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ case: { name: 'CLI case', analyst: 'Dana' }, events: { total: 3 }, audit: { ok: true } });
  });

  it('names refused and passed-over files', () => {
    const dir = join(tempDir(), 'case');
    const logs = tempDir();
    writeFileSync(join(logs, 'conn.log'), connLogText([connLine(1)]));
    writeFileSync(join(logs, 'notes.log'), 'Meeting notes, not a log.\n');
    writeFileSync(join(logs, 'readme.txt'), 'Not a log name.\n');
    expect(runNetcase(['case', 'create', dir, '--name', 'names']).status).toBe(0);

    const result = runNetcase(['import-logs', dir, logs]);

    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`Refused: ${join(logs, 'notes.log')} is not a Zeek log: its first bytes match no capture or log format.`);
    expect(result.stdout).toContain(`Passed over 1 file whose names are not Zeek log names (.log, .json, .ndjson, .cut, optionally .gz): ${join(logs, 'readme.txt')}`);
  });

  it('explains errors without a stack trace', () => {
    const missing = runNetcase(['case', 'info', join(tempDir(), 'nowhere')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^netcase: Case folder .*nowhere not found\. Create it with "netcase case create/);
    expect(missing.stderr).not.toContain('    at ');

    const usage = runNetcase(['events', tempDir(), '--from', 'yesterday']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--from "yesterday" is not a time');

    expect(runNetcase(['frobnicate']).status).toBe(2);
  });

  it("survives a kill mid-import and completes on rerun", { timeout: 180_000 }, async () => {
    const dir = join(tempDir(), 'case');
    const logs = tempDir();
    writeFileSync(join(logs, 'a-first.log'), connLogText([connLine(1), connLine(2)]));
    await writeConnLog(join(logs, "b-large.log"), 60000, 1767990000);
    expect(runNetcase(['case', 'create', dir, '--name', 'kill test']).status).toBe(0);

    const child = startNetcase(['import-logs', dir, logs, '--json-progress']);
    const lines = createInterface({ input: child.stdout! });
    let killedDuringLargeFile = false;
    for await (const line of lines) {
      const message = JSON.parse(line) as { type: string; fileIndex?: number; records?: number };
      if (message.type === 'progress' && message.fileIndex === 1 && (message.records ?? 0) > 0) {
        child.kill('SIGKILL');
        killedDuringLargeFile = true;
        break;
      }
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect(killedDuringLargeFile).toBe(true);

    // The first file committed; nothing of the interrupted one is visible.
    expect(eventCount(dir)).toEqual({ events: 2, imports: 1 });

    const rerun = runNetcase(['import-logs', dir, logs]);
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain('Unchanged');
    expect(eventCount(dir)).toEqual({ events: 60002, imports: 2 });

    expect(runNetcase(['import-logs', dir, logs]).status).toBe(0);
    expect(eventCount(dir)).toEqual({ events: 60002, imports: 2 });

    const opened = openCase(dir, { write: false });
    expect(verifyAudit(opened.db).ok).toBe(true);
    opened.close();
  });
});
