// The speed-of-light baseline for ingest: every line of every log file JSON.parse'd and
// inserted with one prepared statement into a table without indexes, in one transaction.
// Usage: node ingest-baseline.mjs DATABASE LOG_FOLDER
import { createReadStream, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const [databasePath, folder] = process.argv.slice(2);
const db = new Database(databasePath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, import_id INTEGER, line INTEGER, log TEXT, ts INTEGER, uid TEXT,
  orig_h TEXT, orig_p INTEGER, resp_h TEXT, resp_p INTEGER, proto TEXT, record TEXT)`);
const insert = db.prepare('INSERT INTO events (import_id, line, log, ts, uid, orig_h, orig_p, resp_h, resp_p, proto, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');

db.exec('BEGIN');
for (const [fileIndex, name] of readdirSync(folder).sort().entries()) {
  const log = name.split('.')[0];
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(join(folder, name)), crlfDelay: Infinity })) {
    line++;
    const record = JSON.parse(text);
    insert.run(fileIndex + 1, line, log, Math.round(record.ts * 1e6), record.uid ?? null, record['id.orig_h'] ?? null, record['id.orig_p'] ?? null, record['id.resp_h'] ?? null, record['id.resp_p'] ?? null, record.proto ?? null, text);
  }
}
db.exec('COMMIT');
db.close();
