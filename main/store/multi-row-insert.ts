import type Database from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * Rows bound per statement. With the widest row Netcase writes (8 columns) that is 4,000
 * parameters, far below the limit of 32,766 that better-sqlite3 builds SQLite with, and
 * enough rows that the cost of each call from JavaScript no longer shows in a profile.
 */
const ROWS_PER_STATEMENT = 500;

/**
 * One INSERT run for many rows at once: `INSERT ... VALUES (...), (...), ...` with every value
 * bound as a parameter. Binding skips the round trip through JSON text, which measured about
 * 40 % faster for the relation buckets of the ingest benchmark. Rows left over after the last
 * whole statement go in one by one.
 */
export class MultiRowInsert {
  private readonly chunk: Database.Statement;
  private readonly singleRow: Database.Statement;

  /**
   * @param head the statement up to VALUES, e.g. `INSERT INTO t (a, b)`
   * @param columns values per row
   * @param tail what follows the rows, e.g. an ON CONFLICT or RETURNING clause
   */
  constructor(db: Db, head: string, private readonly columns: number, tail = '') {
    const row = `(${new Array(columns).fill('?').join(', ')})`;
    this.chunk = db.prepare(`${head} VALUES ${new Array(ROWS_PER_STATEMENT).fill(row).join(', ')} ${tail}`);
    this.singleRow = db.prepare(`${head} VALUES ${row} ${tail}`);
  }

  /** Inserts the rows. */
  run(rows: ReadonlyArray<readonly unknown[]>): void {
    this.each(rows, (statement, values) => {
      statement.run(values);
    });
  }

  /** Inserts the rows and returns what the statement's RETURNING clause gives for each. */
  all<T>(rows: ReadonlyArray<readonly unknown[]>): T[] {
    const returned: T[] = [];
    this.each(rows, (statement, values) => {
      for (const row of statement.all(values) as T[]) returned.push(row);
    });
    return returned;
  }

  private each(rows: ReadonlyArray<readonly unknown[]>, execute: (statement: Database.Statement, values: unknown[]) => void): void {
    const values = new Array<unknown>(ROWS_PER_STATEMENT * this.columns);
    let start = 0;
    for (; start + ROWS_PER_STATEMENT <= rows.length; start += ROWS_PER_STATEMENT) {
      let next = 0;
      for (let index = start; index < start + ROWS_PER_STATEMENT; index++) {
        const row = rows[index]!;
        // A short row would leave the previous chunk's values in its place.
        if (row.length !== this.columns) throw new Error(`Invalid row: ${row.length} values for an insert of ${this.columns} columns.`);
        for (const value of row) values[next++] = value;
      }
      execute(this.chunk, values);
    }
    for (; start < rows.length; start++) execute(this.singleRow, [...rows[start]!]);
  }
}
