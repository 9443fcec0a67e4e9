import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { NetcaseError, preview } from '../errors.js';

/** `case.json`: the case's identity. Everything else about the case lives in case.sqlite. */
export interface CaseFile {
  format: 'netcase-case';
  version: 1;
  id: string;
  name: string;
  analyst: string;
  created: string;
  timeZone: string;
}

export const CASE_FILE = 'case.json';
export const CASE_DATABASE = 'case.sqlite';
export const CASE_FOLDERS = ['evidence', 'engine', 'reports', 'exports'] as const;

const MAX_NAME_LENGTH = 200;

export function newCaseFile(name: string, analyst: string): CaseFile {
  return {
    format: 'netcase-case',
    version: 1,
    id: randomUUID(),
    name: checkDisplayName('case name', name),
    analyst: checkDisplayName('analyst name', analyst),
    created: new Date().toISOString(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  };
}

/**
 * Checks a name that is shown to people. Names are stored as given and never used as a path,
 * so a name such as "../x" is just text. Control characters are rejected because they would
 * garble terminals and reports.
 */
export function checkDisplayName(what: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') {
    throw new NetcaseError('INVALID_ARGUMENT', `The ${what} is empty. Give a name such as "Acme phishing 2026-01".`);
  }
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) {
    throw new NetcaseError('INVALID_ARGUMENT', `The ${what} "${preview(trimmed)}" contains control characters. Use printable characters only.`);
  }
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new NetcaseError('INVALID_ARGUMENT', `The ${what} is ${trimmed.length} characters long; the maximum is ${MAX_NAME_LENGTH}.`);
  }
  return trimmed;
}

/**
 * Turns a display name into one safe folder name: letters, digits, dot, dash and underscore,
 * never "." or "..", so a name can never point outside the folder it is joined to.
 */
export function folderNameFor(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 80);
  return safe === '' ? 'case' : safe;
}

export function readCaseFile(caseDir: string): CaseFile {
  const path = `${caseDir}/${CASE_FILE}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NetcaseError('CASE_INVALID', missingCaseFileMessage(caseDir));
    throw new NetcaseError('CASE_INVALID', `Cannot read ${path}: ${(error as Error).message}.`, { cause: error });
  }

  let parsed: Partial<CaseFile>;
  try {
    parsed = JSON.parse(text) as Partial<CaseFile>;
  } catch (error) {
    throw new NetcaseError('CASE_INVALID', `${path} is not valid JSON (${(error as Error).message}). Restore it from a backup; Netcase does not overwrite it.`, { cause: error });
  }
  const missing = (['id', 'name', 'analyst', 'created', 'timeZone'] as const).filter((key) => typeof parsed[key] !== 'string');
  if (parsed.format !== 'netcase-case' || missing.length > 0) {
    throw new NetcaseError('CASE_INVALID', `${path} is not a valid Netcase case file${missing.length ? ` (missing ${missing.join(', ')})` : ''}. Restore it from a backup; Netcase does not overwrite it.`);
  }
  if (parsed.version !== 1) {
    throw new NetcaseError('CASE_INVALID', `${path} has case format version ${String(parsed.version)}; this Netcase reads version 1. Update Netcase.`);
  }
  return parsed as CaseFile;
}

/**
 * Returns the advice for a folder without case.json. `case create` needs a new or empty folder,
 * so it is suggested only for one. A folder that still has the case database has lost its
 * case.json, so it is told to restore the file.
 */
function missingCaseFileMessage(caseDir: string): string {
  let entries: string[] = [];
  try {
    entries = readdirSync(caseDir);
  } catch {
    // An unreadable folder gets the advice for an empty one; opening the case reports the rest.
  }
  if (entries.includes(CASE_DATABASE)) {
    return `${caseDir} has a case database but no ${CASE_FILE}. Restore ${CASE_FILE} from a backup or a portable export of the case; Netcase does not recreate it.`;
  }
  if (entries.length > 0) {
    return `${caseDir} is not a Netcase case: ${CASE_FILE} is missing. To start a case, run "netcase case create FOLDER --name NAME" with a new or empty folder.`;
  }
  return `${caseDir} is not a Netcase case: ${CASE_FILE} is missing. Create one with "netcase case create ${caseDir} --name NAME".`;
}
