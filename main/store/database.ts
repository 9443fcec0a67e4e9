import Database from 'better-sqlite3';
import { NetcaseError } from '../errors.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  readonly?: boolean;
  /** Create the file if it is missing; only case creation does this. */
  create?: boolean;
}

/**
 * Opens a case database with the settings every connection needs and applies pending
 * migrations (unless read-only). WAL lets the UI read while an import writes.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !options.create });
  } catch (error) {
    throw new NetcaseError('CASE_INVALID', `Cannot open the case database ${path}: ${(error as Error).message}. Check that the case folder is complete and readable.`, { cause: error });
  }

  try {
    db.pragma('busy_timeout = 10000');
    // Checked before switching to WAL, because that switch writes a header into an empty file.
    checkIsCaseDatabase(db, path, options.create ?? false);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    if (!options.readonly) migrate(db);
    else checkSchemaVersion(db, path);
  } catch (error) {
    db.close();
    if (error instanceof NetcaseError) throw error;
    throw new NetcaseError('CASE_INVALID', `The case database ${path} is damaged or not an SQLite file: ${(error as Error).message}. Restore case.sqlite from a backup or export; Netcase never overwrites it.`, { cause: error });
  }
  return db;
}

/** Applies every migration newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1]!.version;
  if (current > latest) {
    throw new NetcaseError('CASE_INVALID', `The case database has schema version ${current}, newer than this Netcase supports (${latest}). Update Netcase to open it.`);
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

function checkSchemaVersion(db: Db, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1]!.version;
  if (current !== latest) {
    throw new NetcaseError('CASE_INVALID', `The case database ${path} has schema version ${current}, but this Netcase needs ${latest}. Open the case once for writing to upgrade it.`);
  }
}

/**
 * Refuses SQLite files that are not Netcase case databases, and files that are not SQLite at all.
 * An empty database (a zero-byte file, as a failed copy or a full disk leaves) is refused
 * unless the case is being created, because migrating it would silently replace the case's data.
 */
function checkIsCaseDatabase(db: Db, path: string, creating: boolean): void {
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0 && tables.length === 0 && !creating) {
      throw new NetcaseError('CASE_INVALID', `The case database ${path} is empty (no tables), so the case's events and audit log are gone. Restore case.sqlite from a backup or export; Netcase does not recreate it over a case.`);
    }
    if (version === 0 && tables.length > 0) {
      throw new NetcaseError('CASE_INVALID', `${path} is an SQLite database but not a Netcase case database (found tables: ${tables.slice(0, 5).join(', ')}). Restore case.sqlite from a backup.`);
    }
  } catch (error) {
    if (error instanceof NetcaseError) throw error;
    throw new NetcaseError('CASE_INVALID', `The case database ${path} is damaged or not an SQLite file: ${(error as Error).message}. Restore case.sqlite from a backup or export; Netcase never overwrites it.`, { cause: error });
  }
}
