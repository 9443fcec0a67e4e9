import { NetcaseError, preview } from '../errors.js';
import type { Db } from '../store/database.js';
import { appendAudit } from '../case/audit.js';
import { isVerdict, normalizeIndicator, VERDICTS, type Indicator, type IocType, type Verdict } from './ioc-values.js';

/** Origin of an IOC: tagged by hand, from a value file, or accepted from a finding. */
export type IocSource = 'analyst' | 'bulk' | 'suggestion';

export interface IocRecord extends Indicator {
  id: number;
  verdict: Verdict;
  /** 0 to 100, the STIX confidence scale; null when the analyst gave none. */
  confidence: number | null;
  tags: string[];
  note: string;
  analyst: string;
  source: IocSource;
  createdAt: string;
  updatedAt: string;
}

/** A tag request. Omitted fields keep their stored value; `tags` are added to the stored ones. */
export interface TagRequest {
  value: string;
  type?: IocType;
  verdict: Verdict;
  confidence?: number;
  tags?: string[];
  note?: string;
}

export interface UntagRequest {
  value: string;
  type?: IocType;
  /** Remove only these tags; without them the IOC itself is removed. */
  tags?: string[];
}

interface IocRow {
  id: number;
  type: IocType;
  value: string;
  verdict: Verdict;
  confidence: number | null;
  tags: string;
  note: string;
  analyst: string;
  source: IocSource;
  created_at: string;
  updated_at: string;
}

const MAX_TAG_LENGTH = 100;
const MAX_NOTE_LENGTH = 10_000;

/**
 * Creates or updates the IOC for a value and appends `ioc.tag` to the audit log, plus `ioc.note`
 * when the note changes. Call inside a transaction so the row and its audit entries commit
 * together. An update that changes nothing writes no audit entry.
 */
export function tagIoc(db: Db, actor: string, request: TagRequest, source: IocSource = 'analyst', context: Record<string, unknown> = {}): IocRecord {
  const indicator = normalizeIndicator(request.value, request.type);
  const verdict = checkVerdict(request.verdict);
  const confidence = request.confidence === undefined ? undefined : checkConfidence(request.confidence);
  const newTags = (request.tags ?? []).map(checkTag);
  const note = request.note === undefined ? undefined : checkNote(request.note);
  const now = new Date().toISOString();

  const existing = findIocRow(db, indicator);
  if (!existing) {
    const tags = sortedUnique(newTags);
    const result = db
      .prepare(`INSERT INTO iocs (type, value, verdict, confidence, tags, note, analyst, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(indicator.type, indicator.value, verdict, confidence ?? null, JSON.stringify(tags), note ?? '', actor, source, now, now);
    appendAudit(db, actor, 'ioc.tag', { ...context, type: indicator.type, value: indicator.value, created: true, source, verdict, confidence: confidence ?? null, tags });
    if (note) appendAudit(db, actor, 'ioc.note', { type: indicator.type, value: indicator.value, note, previous: '' });
    return toRecord(findIocRowById(db, Number(result.lastInsertRowid)));
  }

  const before = toRecord(existing);
  const after = {
    verdict,
    confidence: confidence === undefined ? before.confidence : confidence,
    tags: sortedUnique([...before.tags, ...newTags]),
    note: note === undefined ? before.note : note,
  };
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (after.verdict !== before.verdict) changes.verdict = { from: before.verdict, to: after.verdict };
  if (after.confidence !== before.confidence) changes.confidence = { from: before.confidence, to: after.confidence };
  if (after.tags.join('\n') !== before.tags.join('\n')) changes.tags = { from: before.tags, to: after.tags };
  const noteChanged = after.note !== before.note;
  if (Object.keys(changes).length === 0 && !noteChanged) return before;

  db.prepare('UPDATE iocs SET verdict = ?, confidence = ?, tags = ?, note = ?, analyst = ?, updated_at = ? WHERE id = ?')
    .run(after.verdict, after.confidence, JSON.stringify(after.tags), after.note, actor, now, before.id);
  if (Object.keys(changes).length > 0) {
    appendAudit(db, actor, 'ioc.tag', { ...context, type: indicator.type, value: indicator.value, created: false, source, changes });
  }
  if (noteChanged) appendAudit(db, actor, 'ioc.note', { type: indicator.type, value: indicator.value, note: after.note, previous: before.note });
  return toRecord(findIocRowById(db, before.id));
}

/**
 * Removes tags from an IOC, or the IOC itself when no tags are named, and audits it as
 * `ioc.untag`. Throws NOT_FOUND when the value was never tagged.
 */
export function untagIoc(db: Db, actor: string, request: UntagRequest): IocRecord | null {
  const indicator = normalizeIndicator(request.value, request.type);
  const existing = findIocRow(db, indicator);
  if (!existing) {
    throw new NetcaseError('NOT_FOUND', `${indicator.type} ${preview(indicator.value)} is not tagged in this case. List the tagged values with "netcase ioc list DIR".`);
  }
  const before = toRecord(existing);

  if (!request.tags || request.tags.length === 0) {
    db.prepare('DELETE FROM iocs WHERE id = ?').run(before.id);
    appendAudit(db, actor, 'ioc.untag', { type: before.type, value: before.value, removed: true, verdict: before.verdict, tags: before.tags, note: before.note });
    return null;
  }

  const removing = new Set(request.tags.map((tag) => tag.trim()));
  const unknown = [...removing].filter((tag) => !before.tags.includes(tag));
  if (unknown.length > 0) {
    throw new NetcaseError('NOT_FOUND', `${before.value} has no tag ${unknown.map((tag) => `"${preview(tag)}"`).join(', ')}; its tags are: ${before.tags.join(', ') || '(none)'}.`);
  }
  const tags = before.tags.filter((tag) => !removing.has(tag));
  db.prepare('UPDATE iocs SET tags = ?, analyst = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(tags), actor, new Date().toISOString(), before.id);
  appendAudit(db, actor, 'ioc.untag', { type: before.type, value: before.value, removed: false, changes: { tags: { from: before.tags, to: tags } } });
  return toRecord(findIocRowById(db, before.id));
}

/** Lists every IOC by verdict severity, then type and value, so listings are stable. */
export function listIocRecords(db: Db): IocRecord[] {
  const rows = db
    .prepare(`SELECT * FROM iocs ORDER BY CASE verdict WHEN 'malicious' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unknown' THEN 2 ELSE 3 END, type, value`)
    .all() as IocRow[];
  return rows.map(toRecord);
}

export function findIoc(db: Db, indicator: Indicator): IocRecord | undefined {
  const row = findIocRow(db, indicator);
  return row ? toRecord(row) : undefined;
}

function findIocRow(db: Db, indicator: Indicator): IocRow | undefined {
  return db.prepare('SELECT * FROM iocs WHERE type = ? AND value = ?').get(indicator.type, indicator.value) as IocRow | undefined;
}

function findIocRowById(db: Db, id: number): IocRow {
  return db.prepare('SELECT * FROM iocs WHERE id = ?').get(id) as IocRow;
}

function toRecord(row: IocRow): IocRecord {
  return {
    id: row.id,
    type: row.type,
    value: row.value,
    verdict: row.verdict,
    confidence: row.confidence,
    tags: JSON.parse(row.tags) as string[],
    note: row.note,
    analyst: row.analyst,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function checkVerdict(verdict: string): Verdict {
  if (!isVerdict(verdict)) throw new NetcaseError('INVALID_ARGUMENT', `Invalid verdict "${preview(verdict)}". Use one of ${VERDICTS.join(', ')}.`);
  return verdict;
}

function checkConfidence(confidence: number): number {
  if (!Number.isInteger(confidence) || confidence < 0 || confidence > 100) {
    throw new NetcaseError('INVALID_ARGUMENT', `Invalid confidence ${confidence}: use a whole number from 0 (none) to 100 (certain).`);
  }
  return confidence;
}

function checkTag(tag: string): string {
  const trimmed = tag.trim();
  if (trimmed === '') throw new NetcaseError('INVALID_ARGUMENT', 'A tag is empty. Separate tags with commas, such as --tags c2,phishing.');
  if (trimmed.length > MAX_TAG_LENGTH) throw new NetcaseError('INVALID_ARGUMENT', `The tag "${preview(trimmed)}" is ${trimmed.length} characters long; the maximum is ${MAX_TAG_LENGTH}.`);
  if (/[\u0000-\u001f\u007f,]/.test(trimmed)) throw new NetcaseError('INVALID_ARGUMENT', `The tag "${preview(trimmed)}" contains a comma or control characters. Use printable characters without commas.`);
  return trimmed;
}

function checkNote(note: string): string {
  if (note.length > MAX_NOTE_LENGTH) throw new NetcaseError('INVALID_ARGUMENT', `The note is ${note.length} characters long; the maximum is ${MAX_NOTE_LENGTH}.`);
  return note.trim();
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
