// The speed-of-light baseline for ingest: every line of every log file JSON.parse'd and
// inserted with one prepared statement into a table without indexes, in one transaction.
// Given a case database, it then also builds, in the same transaction, the event indexes and
// the full-text index that the case schema declares, and prints the time of each step as JSON.
// Usage: node ingest-baseline.mjs DATABASE LOG_FOLDER [CASE_DATABASE]
import { createReadStream, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const [databasePath, folder, caseDatabasePath] = process.argv.slice(2);
const db = new Database(databasePath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, import_id INTEGER, line INTEGER, log TEXT, ts INTEGER, uid TEXT,
  orig_h TEXT, orig_p INTEGER, resp_h TEXT, resp_p INTEGER, proto TEXT, record TEXT)`);
const insert = db.prepare('INSERT INTO events (import_id, line, log, ts, uid, orig_h, orig_p, resp_h, resp_p, proto, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const steps = {};
let stepStarted = performance.now();
const endStep = (name) => {
  const now = performance.now();
  steps[name] = Number(((now - stepStarted) / 1000).toFixed(2));
  stepStarted = now;
};

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
endStep('parseAndInsert');

if (caseDatabasePath) {
  const schema = new Database(caseDatabasePath, { readonly: true, fileMustExist: true });
  const eventIndexes = schema.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL`).pluck().all();
  const textIndex = schema.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events_fts'`).pluck().get();
  schema.close();
  if (eventIndexes.length === 0 || !textIndex) throw new Error(`${caseDatabasePath} has no event indexes or no events_fts table. Pass the case.sqlite of a case made by "netcase case create".`);

  for (const sql of eventIndexes) db.exec(sql);
  endStep('eventIndexes');
  db.exec(textIndex);
  db.exec('INSERT INTO events_fts (rowid, record) SELECT id, record FROM events');
  endStep('textIndex');
}
db.exec('COMMIT');
endStep('commit');
db.close();
process.stdout.write(`${JSON.stringify(steps)}\n`);
