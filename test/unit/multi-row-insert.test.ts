import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MultiRowInsert } from '../../main/store/multi-row-insert.js';

describe('MultiRowInsert', () => {
  let db: Database.Database;

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE counts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, count INTEGER NOT NULL, note TEXT)');
  });

  afterEach(() => db.close());

  // 500 rows fill one statement, so these sizes cover no statement, exactly one, one plus a
  // remainder and several plus a remainder.
  it.each([0, 1, 499, 500, 501, 1234])('stores all of %i rows in order', (size) => {
    const rows = Array.from({ length: size }, (_, index) => [index + 1, `name ${index}`, index * 2, index % 3 === 0 ? null : 'noted']);

    new MultiRowInsert(db, 'INSERT INTO counts (id, name, count, note)', 4).run(rows);

    expect(db.prepare('SELECT id, name, count, note FROM counts ORDER BY id').raw().all()).toEqual(rows);
  });

  it('returns what RETURNING gives for inserted and updated rows', () => {
    const upsert = new MultiRowInsert(db, 'INSERT INTO counts (name, count)', 2, 'ON CONFLICT (name) DO UPDATE SET count = count + excluded.count RETURNING id, name, count');
    upsert.run(Array.from({ length: 300 }, (_, index) => [`name ${index}`, 1]));

    const returned = upsert.all<{ id: number; name: string; count: number }>(Array.from({ length: 700 }, (_, index) => [`name ${index}`, 1]));

    expect(returned).toHaveLength(700);
    const byName = new Map(returned.map((row) => [row.name, row]));
    expect(byName.get('name 0')).toEqual({ id: 1, name: 'name 0', count: 2 });
    expect(byName.get('name 299')?.count).toBe(2);
    expect(byName.get('name 300')?.count).toBe(1);
    expect(byName.get('name 699')).toEqual({ id: 700, name: 'name 699', count: 1 });
  });

  it('rejects a row of the wrong width', () => {
    const rows: unknown[][] = Array.from({ length: 500 }, (_, index) => [index + 1, `name ${index}`, 1, null]);
    rows[250] = [251, 'short row', 1];

    const insert = new MultiRowInsert(db, 'INSERT INTO counts (id, name, count, note)', 4);

    expect(() => insert.run(rows)).toThrow('Invalid row: 3 values for an insert of 4 columns.');
    expect(db.prepare('SELECT COUNT(*) FROM counts').pluck().get()).toBe(0);
  });
});
