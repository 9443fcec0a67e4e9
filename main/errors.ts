/**
 * Typed errors shared by the services, the CLI and IPC. Each carries a stable `code`, a message
 * that names the value and the fix, and optional details; they cross process boundaries as
 * plain `{ code, message, details }` objects.
 */
export type ErrorCode =
  | 'USAGE'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CASE_INVALID'
  | 'CASE_LOCKED'
  | 'READ_ONLY'
  | 'DUPLICATE_EVIDENCE'
  | 'UNSUPPORTED_FILE'
  | 'INPUT_INVALID'
  | 'INTEGRITY'
  | 'CANCELLED'
  | 'IO'
  | 'ENGINE'
  | 'INTERNAL';

export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export class NetcaseError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'NetcaseError';
    this.code = code;
    this.details = options.details;
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isNetcaseError(error: unknown): error is NetcaseError {
  return error instanceof NetcaseError;
}

/**
 * Turns SQLite failures that a user can act on into typed errors that name the fix. A damaged
 * file raises better-sqlite3's SqliteError with code SQLITE_CORRUPT or SQLITE_NOTADB from
 * whichever query first reads a bad page. A full disk raises SQLITE_FULL after SQLite has
 * rolled the statement back. Returns null for every other error.
 */
export function sqliteFailureError(error: unknown): NetcaseError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    return new NetcaseError(
      'CASE_INVALID',
      `The case database is damaged (${(error as Error).message}). Restore case.sqlite from a backup or a portable case export; Netcase never overwrites it.`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_FULL') {
    return new NetcaseError(
      'IO',
      `The disk is full (${(error as Error).message}), so the case database could not grow; the change in progress was rolled back. Free space on the disk that holds the case folder and run the command again.`,
      { cause: error },
    );
  }
  return null;
}

/** Converts any thrown value into plain error data, keeping typed errors as they are. */
export function toErrorData(error: unknown): ErrorData {
  if (isNetcaseError(error)) return error.toData();
  const failure = sqliteFailureError(error);
  if (failure) return failure.toData();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message };
}

/** Shortens a value for an error message so a 10 MB line never ends up in a terminal. */
export function preview(value: string, maxLength = 80): string {
  const printable = value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return printable.length > maxLength ? `${printable.slice(0, maxLength)}…` : printable;
}
