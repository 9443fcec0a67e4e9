import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCase, openCase, type OpenCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { runImport } from '../../main/ingest/run-import.js';
import { verifyAudit } from '../../main/case/audit.js';
import { tempDir } from '../helpers/temp.js';
import { connLine, connLogText, writeConnLog } from '../helpers/generate-logs.js';

function newCase(): OpenCase {
  const dir = join(tempDir(), 'case');
  createCase(dir, { name: 'faults' });
  return openCase(dir, { write: true });
}

function counts(opened: OpenCase): { events: number; imports: number } {
  return {
    events: (opened.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n,
    imports: (opened.db.prepare('SELECT COUNT(*) AS n FROM imports').get() as { n: number }).n,
  };
}

async function importOne(opened: OpenCase, path: string) {
  return (await importLogs(opened.db, [path], { actor: 'tester' })).files[0]!;
}

describe('import of bad input', () => {
  it('refuses a file that is not a Zeek log', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'notes.log');
    writeFileSync(path, 'Meeting notes\nnothing to see\n');
    const result = await importOne(opened, path);
    expect(result.status).toBe('refused');
    expect(result.message).toContain(`${path} is not a Zeek log`);
    expect(result.message).toContain('Expected a Zeek TSV log');
    expect(counts(opened)).toEqual({ events: 0, imports: 0 });
    opened.close();
  });

  it('refuses an empty file', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'conn.log');
    writeFileSync(path, '');
    const result = await importOne(opened, path);
    expect(result.status).toBe('refused');
    expect(result.message).toContain('empty file');
    opened.close();
  });

  it('refuses a bad #types header and writes nothing', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'conn.log');
    writeFileSync(path, connLogText([connLine(1)]).replace('\tinterval\t', '\tintervall\t'));
    const result = await importOne(opened, path);
    expect(result.status).toBe('refused');
    expect(result.message).toContain('unknown type "intervall" for field duration');
    expect(counts(opened)).toEqual({ events: 0, imports: 0 });
    opened.close();
  });

  it('refuses a truncated gzip and keeps nothing from it', async () => {
    const opened = newCase();
    const lines = Array.from({ length: 5000 }, (_, i) => connLine(i));
    const gz = gzipSync(connLogText(lines));
    const path = join(tempDir(), 'conn.log.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const result = await importOne(opened, path);
    expect(result.status).toBe('refused');
    expect(result.message).toContain('damaged or truncated gzip');
    expect(counts(opened)).toEqual({ events: 0, imports: 0 });
    opened.close();
  });

  it('skips a 10 MB line and imports the rest', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'conn.log');
    writeFileSync(path, connLogText([connLine(1), `${connLine(2)}${'x'.repeat(10 * 1024 * 1024)}`, connLine(3)]));
    const result = await importOne(opened, path);
    expect(result.status).toBe('imported');
    expect(result.records).toBe(2);
    expect(result.problems).toEqual([{ line: 10, reason: expect.stringMatching(/^line is 10\.0 MiB long, more than the 4\.0 MiB limit$/) }]);
    opened.close();
  });

  it('skips a line of invalid UTF-8 and reports its number', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'conn.log');
    const text = Buffer.from(connLogText([connLine(1), 'BAD', connLine(3)]));
    const bad = text.indexOf('BAD');
    text[bad] = 0xff;
    text[bad + 1] = 0xfe;
    writeFileSync(path, text);
    const result = await importOne(opened, path);
    expect(result.records).toBe(2);
    expect(result.problems).toEqual([{ line: 10, reason: expect.stringContaining('invalid UTF-8') }]);
    opened.close();
  });

  it('skips lines with wrong field counts and bad values by line', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'conn.log');
    writeFileSync(path, connLogText([connLine(1), 'too\tfew', connLine(3).replace('\t443\t', '\tport443\t'), connLine(4)]));
    const result = await importOne(opened, path);
    expect(result.records).toBe(2);
    expect(result.problems).toEqual([
      { line: 10, reason: 'expected 14 fields, found 2' },
      { line: 11, reason: 'field id.resp_p: "port443" is not an integer' },
    ]);
    opened.close();
  });
});

describe('idempotent import', () => {
  it('adds no rows when the same logs are imported again', async () => {
    const opened = newCase();
    const folder = tempDir();
    writeFileSync(join(folder, 'conn.log'), connLogText([connLine(1), connLine(2)]));
    writeFileSync(join(folder, 'conn.log.gz'), gzipSync(readFileSync(join(folder, 'conn.log'))));
    writeFileSync(join(folder, 'dns.json'), '{"ts":1767981600.5,"uid":"Cx","query":"example.org"}\n');

    const first = await importLogs(opened.db, [folder], { actor: 'tester' });
    expect(first.files.map((file) => file.status)).toEqual(['imported', 'already-imported', 'imported']);
    expect(counts(opened)).toEqual({ events: 3, imports: 2 });

    const second = await importLogs(opened.db, [folder], { actor: 'tester' });
    expect(second.files.map((file) => file.status)).toEqual(['already-imported', 'already-imported', 'already-imported']);
    expect(counts(opened)).toEqual({ events: 3, imports: 2 });
    const seconds = opened.db.prepare('SELECT SUM(count) AS n FROM event_seconds').get() as { n: number };
    expect(seconds.n).toBe(3);
    expect(verifyAudit(opened.db).ok).toBe(true);
    opened.close();
  });
});

describe('import worker', () => {
  it('imports in a worker thread and reports progress', async () => {
    const opened = newCase();
    const path = join(tempDir(), 'conn.log');
    await writeConnLog(path, 20000);
    const progress: number[] = [];
    const summary = await runImport(opened, [path], { onProgress: (update) => progress.push(update.bytesRead), progressIntervalMs: 0 });
    expect(summary.records).toBe(20000);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(readFileSync(path).length);
    expect(counts(opened).events).toBe(20000);
    opened.close();
  });

  it('cancels and keeps the files finished before the cancel', async () => {
    const opened = newCase();
    const folder = tempDir();
    writeFileSync(join(folder, 'a-small.log'), connLogText([connLine(1)]));
    await writeConnLog(join(folder, 'b-large.log'), 300000);
    const controller = new AbortController();
    const pending = runImport(opened, [folder], {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (update) => {
        if (update.fileIndex === 1 && update.records > 1000) controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(counts(opened)).toEqual({ events: 1, imports: 1 });
    opened.close();
  });
});
