import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { NetcaseError, isNetcaseError, preview } from '../errors.js';
import type { Db } from '../store/database.js';
import { appendAudit } from '../case/audit.js';
import { parseCsv, unprotectCell } from './csv.js';
import { isIocType, normalizeIndicator, type Indicator } from './ioc-values.js';
import { parsePattern } from './stix-pattern.js';
import { findSightings, summarizeSighting, type Sighting } from './sightings.js';

export interface WatchlistEntry extends Indicator {
  /** "line N" for CSV, the indicator id for STIX. */
  ref: string;
  label: string;
}

/** An entry that was not imported, and why. */
export interface WatchlistProblem {
  ref: string;
  reason: string;
}

export interface ParsedWatchlist {
  format: 'csv' | 'stix';
  entries: WatchlistEntry[];
  /** Broken lines, invalid values and malformed patterns. */
  problems: WatchlistProblem[];
  /** Valid STIX patterns that Netcase cannot match, such as AND or qualifiers. */
  unsupported: WatchlistProblem[];
  /** STIX objects that are not indicators (identities, relationships...), which carry no values. */
  otherObjects: number;
}

export interface WatchlistMatch extends WatchlistEntry, Sighting {}

export interface WatchlistImportResult extends Omit<ParsedWatchlist, 'entries'> {
  name: string;
  sha256: string;
  entries: number;
  matches: WatchlistMatch[];
}

const MAX_WATCHLIST_BYTES = 64 * 1024 * 1024;

/**
 * Imports a watchlist file (CSV, or a STIX 2.1 bundle of indicators) into the case and records
 * which events match each entry. Broken entries are reported and the rest imported. Importing a
 * file with the same content again replaces its earlier rows, matched against today's events.
 */
export function importWatchlist(db: Db, actor: string, path: string): WatchlistImportResult {
  const bytes = readWatchlistFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  checkIsText(bytes, path);
  const parsed = parseWatchlist(bytes.toString('utf8'), path);
  if (parsed.entries.length === 0 && parsed.problems.length === 0 && parsed.unsupported.length === 0) {
    throw new NetcaseError('INPUT_INVALID', `${path} contains no indicators. A CSV watchlist has one value per line (optionally "type,value"); a STIX bundle has indicator objects.`);
  }
  const name = basename(path);

  return db.transaction((): WatchlistImportResult => {
    db.prepare('DELETE FROM watchlists WHERE sha256 = ?').run(sha256);
    const watchlistId = Number(
      db
        .prepare('INSERT INTO watchlists (name, sha256, format, entries, problems, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(name, sha256, parsed.format, parsed.entries.length, JSON.stringify([...parsed.problems, ...parsed.unsupported]), new Date().toISOString(), actor).lastInsertRowid,
    );
    const insertEntry = db.prepare('INSERT INTO watchlist_entries (watchlist_id, ref, type, value, label) VALUES (?, ?, ?, ?, ?)');
    const insertMatch = db.prepare('INSERT INTO watchlist_matches (entry_id, event_id) VALUES (?, ?)');

    const matches: WatchlistMatch[] = [];
    for (const entry of parsed.entries) {
      const entryId = Number(insertEntry.run(watchlistId, entry.ref, entry.type, entry.value, entry.label).lastInsertRowid);
      const sighting = findSightings(db, entry);
      for (const eventId of sighting.eventIds) insertMatch.run(entryId, eventId);
      if (sighting.events > 0) matches.push({ ...entry, ...summarizeSighting(sighting) });
    }

    appendAudit(db, actor, 'watchlist.import', {
      name,
      sha256,
      format: parsed.format,
      entries: parsed.entries.length,
      matchedEntries: matches.length,
      matchedEvents: matches.reduce((sum, match) => sum + match.events, 0),
      problems: parsed.problems.length,
      unsupported: parsed.unsupported.length,
    });
    const { entries: _entries, ...rest } = parsed;
    return { ...rest, name, sha256, entries: parsed.entries.length, matches };
  })();
}

/** A watchlist entry that matched, with the matching events summarised. */
export interface StoredWatchlistMatch extends WatchlistEntry {
  watchlist: string;
  events: number;
  firstSeen: number | null;
  lastSeen: number | null;
  eventIds: number[];
}

/** Lists the watchlist entries with at least one matching event, for the findings list. */
export function listWatchlistMatches(db: Db): StoredWatchlistMatch[] {
  const rows = db
    .prepare(
      `SELECT w.name AS watchlist, e.ref, e.type, e.value, e.label, COUNT(*) AS events, MIN(ev.ts) AS firstSeen, MAX(ev.ts) AS lastSeen,
         json_group_array(ev.id) AS eventIds
       FROM watchlist_matches m
       JOIN watchlist_entries e ON e.id = m.entry_id
       JOIN watchlists w ON w.id = e.watchlist_id
       JOIN events ev ON ev.id = m.event_id
       GROUP BY e.id ORDER BY w.name, e.type, e.value`,
    )
    .all() as (Omit<StoredWatchlistMatch, 'eventIds'> & { eventIds: string })[];
  return rows.map((row) => ({ ...row, eventIds: (JSON.parse(row.eventIds) as number[]).sort((a, b) => a - b) }));
}

/** Reads a watchlist from text; JSON text is taken as a STIX bundle, anything else as CSV. */
export function parseWatchlist(text: string, path = 'the watchlist'): ParsedWatchlist {
  return text.trimStart().startsWith('{') ? parseStixWatchlist(text, path) : parseCsvWatchlist(text);
}

function parseCsvWatchlist(text: string): ParsedWatchlist {
  const { rows, problems: csvProblems } = parseCsv(text);
  const result: ParsedWatchlist = { format: 'csv', entries: [], problems: csvProblems.map((problem) => ({ ref: `line ${problem.line}`, reason: problem.reason })), unsupported: [], otherObjects: 0 };

  const dataRows = rows.filter((row) => !row.fields[0]!.trimStart().startsWith('#'));
  const header = dataRows[0]?.fields.map((field) => field.trim().toLowerCase());
  const hasHeader = header?.includes('value') ?? false;
  const column = (name: string): number => (hasHeader ? header!.indexOf(name) : -1);
  const valueColumn = column('value');
  const typeColumn = column('type');
  const labelColumn = ['name', 'label', 'description', 'note'].map(column).find((index) => index >= 0) ?? -1;

  const seen = new Set<string>();
  for (const row of hasHeader ? dataRows.slice(1) : dataRows) {
    const ref = `line ${row.line}`;
    const cells = row.fields.map((field) => unprotectCell(field.trim()));
    let typeText: string | undefined;
    let value: string | undefined;
    let label = '';
    if (hasHeader) {
      value = cells[valueColumn];
      typeText = typeColumn >= 0 ? cells[typeColumn] || undefined : undefined;
      label = labelColumn >= 0 ? (cells[labelColumn] ?? '') : '';
    } else if (cells.length === 1) {
      value = cells[0];
    } else {
      [typeText, value] = cells;
      label = cells[2] ?? '';
    }
    if (value === undefined || value === '') {
      result.problems.push({ ref, reason: 'the value is missing' });
      continue;
    }
    if (typeText !== undefined && !isIocType(typeText)) {
      result.problems.push({ ref, reason: `unknown type "${preview(typeText)}"` });
      continue;
    }
    addEntry(result, seen, ref, value, typeText, label);
  }
  return result;
}

function parseStixWatchlist(text: string, path: string): ParsedWatchlist {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new NetcaseError('INPUT_INVALID', `${path} starts like JSON but is not valid JSON (${(error as Error).message}). Check that it is a STIX 2.1 bundle.`, { cause: error });
  }
  const objects = (document as { type?: unknown; objects?: unknown }).type === 'bundle' ? (document as { objects?: unknown }).objects : undefined;
  if (!Array.isArray(objects)) {
    throw new NetcaseError('INPUT_INVALID', `${path} is JSON but not a STIX 2.1 bundle (expected "type": "bundle" with an "objects" list).`);
  }

  const result: ParsedWatchlist = { format: 'stix', entries: [], problems: [], unsupported: [], otherObjects: 0 };
  const seen = new Set<string>();
  for (const [index, object] of objects.entries()) {
    const indicator = object as Record<string, unknown>;
    if (indicator?.type !== 'indicator') {
      result.otherObjects++;
      continue;
    }
    const ref = typeof indicator.id === 'string' ? indicator.id : `objects[${index}]`;
    if (indicator.revoked === true) {
      result.unsupported.push({ ref, reason: 'the indicator is revoked' });
      continue;
    }
    if (indicator.pattern_type !== 'stix') {
      result.unsupported.push({ ref, reason: `pattern_type is ${JSON.stringify(indicator.pattern_type)}; only "stix" patterns are read` });
      continue;
    }
    if (typeof indicator.pattern !== 'string') {
      result.problems.push({ ref, reason: 'the indicator has no pattern' });
      continue;
    }
    const parsed = parsePattern(indicator.pattern);
    if (parsed.status === 'invalid') {
      result.problems.push({ ref, reason: `the pattern ${preview(indicator.pattern)} is invalid: ${parsed.reason}` });
      continue;
    }
    if (parsed.status === 'unsupported') {
      result.unsupported.push({ ref, reason: `the pattern ${preview(indicator.pattern)} is not supported: ${parsed.reason}` });
      continue;
    }
    const label = typeof indicator.name === 'string' ? indicator.name : typeof indicator.description === 'string' ? indicator.description : '';
    for (const comparison of parsed.comparisons) addEntry(result, seen, ref, comparison.value, comparison.type, label);
  }
  return result;
}

function addEntry(result: ParsedWatchlist, seen: Set<string>, ref: string, value: string, type: string | undefined, label: string): void {
  if ((type === undefined || type === 'ipv4' || type === 'ipv6') && /^[0-9a-f:.]+\/\d{1,3}$/i.test(value.trim())) {
    result.unsupported.push({ ref, reason: `${preview(value)} is an address range; only single addresses are matched` });
    return;
  }
  let indicator: Indicator;
  try {
    indicator = normalizeIndicator(value, type as Indicator['type'] | undefined);
  } catch (error) {
    if (!isNetcaseError(error)) throw error;
    result.problems.push({ ref, reason: error.message });
    return;
  }
  const key = `${indicator.type}:${indicator.value}`;
  if (seen.has(key)) return;
  seen.add(key);
  result.entries.push({ ...indicator, ref, label });
}

/** Rejects binary files (a spreadsheet, an archive), which would otherwise be read as junk CSV lines. */
function checkIsText(bytes: Buffer, path: string): void {
  const nul = bytes.indexOf(0);
  if (nul >= 0 || !isUtf8(bytes)) {
    const where = nul >= 0 ? `a NUL byte at offset ${nul}` : 'invalid UTF-8';
    throw new NetcaseError('INPUT_INVALID', `${path} is not a text file (${where}). A watchlist is CSV text in UTF-8 or a STIX 2.1 JSON bundle; save a spreadsheet as "CSV UTF-8" first.`);
  }
}

function readWatchlistFile(path: string): Buffer {
  try {
    const size = statSync(path).size;
    if (size > MAX_WATCHLIST_BYTES) {
      throw new NetcaseError('INPUT_INVALID', `${path} is ${size} bytes; watchlists up to ${MAX_WATCHLIST_BYTES} bytes are read. Split it into smaller files.`);
    }
    return readFileSync(path);
  } catch (error) {
    if (isNetcaseError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NetcaseError('NOT_FOUND', `Watchlist file ${path} not found. Check the path.`, { cause: error });
    throw new NetcaseError('IO', `Failed to read the watchlist ${path}: ${(error as Error).message}.`, { cause: error });
  }
}
