import { createHash } from 'node:crypto';
import type { Db } from '../store/database.js';

/** One audit entry as stored. `details` is canonical JSON text. */
export interface AuditEntry {
  id: number;
  ts: string;
  actor: string;
  action: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose hash or link does not match, with the reason. */
  firstBad?: { id: number; reason: string };
}

/** The prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Appends an entry chained to the previous one. Call it inside the transaction that makes the
 * change it records, so the entry and the change commit together.
 */
export function appendAudit(db: Db, actor: string, action: string, details: Record<string, unknown>): AuditEntry {
  const previous = db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
  const entry = {
    id: (previous?.id ?? 0) + 1,
    ts: new Date().toISOString(),
    actor,
    action,
    details: canonicalJson(details),
    prev_hash: previous?.hash ?? GENESIS_HASH,
  };
  const hash = hashEntry(entry);
  db.prepare('INSERT INTO audit (id, ts, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(entry.id, entry.ts, entry.actor, entry.action, entry.details, entry.prev_hash, hash);
  return { ...entry, hash };
}

/** Recomputes the chain from the first entry and names the first entry that does not match. */
export function verifyAudit(db: Db): AuditVerification {
  let previousHash = GENESIS_HASH;
  let expectedId = 1;
  let count = 0;
  for (const entry of db.prepare('SELECT * FROM audit ORDER BY id').iterate() as IterableIterator<AuditEntry>) {
    count++;
    if (entry.id !== expectedId) {
      return { ok: false, entries: count, firstBad: { id: entry.id, reason: `entry ${expectedId} is missing` } };
    }
    if (entry.prev_hash !== previousHash) {
      return { ok: false, entries: count, firstBad: { id: entry.id, reason: 'its link to the previous entry does not match' } };
    }
    if (hashEntry(entry) !== entry.hash) {
      return { ok: false, entries: count, firstBad: { id: entry.id, reason: 'its content does not match its hash (edited after it was written)' } };
    }
    previousHash = entry.hash;
    expectedId++;
  }
  return { ok: true, entries: count };
}

export function listAudit(db: Db): AuditEntry[] {
  return db.prepare('SELECT * FROM audit ORDER BY id').all() as AuditEntry[];
}

function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalJson({ id: entry.id, ts: entry.ts, actor: entry.actor, action: entry.action, details: entry.details });
  return createHash('sha256').update(entry.prev_hash).update('\n').update(body).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
