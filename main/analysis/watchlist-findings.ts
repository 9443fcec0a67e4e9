import type { Db } from '../store/database.js';
import type { Finding } from './detection-context.js';
import type { EntityKind, EntityRef } from './extract.js';
import type { TimeWindow } from './window.js';

/** Entity kind under which each watchlist indicator type appears in the graph. */
const ENTITY_KIND: Record<string, EntityKind | undefined> = {
  domain: 'domain',
  ipv4: 'host',
  ipv6: 'host',
  email: 'email',
  url: 'url',
  md5: 'file',
  sha1: 'file',
  sha256: 'file',
  'user-agent': 'user_agent',
};

interface MatchRow {
  watchlistId: number;
  watchlistName: string;
  type: string;
  value: string;
  label: string;
  eventId: number;
  ts: number | null;
}

/**
 * Turns the stored watchlist matches inside the window into findings, one per listed value, so
 * they are listed beside the rule findings. Matches are made when a watchlist is imported.
 */
export function watchlistFindings(db: Db, window: TimeWindow): Finding[] {
  const rows = db
    .prepare(`SELECT w.id AS watchlistId, w.name AS watchlistName, e.type, e.value, e.label, ev.id AS eventId, ev.ts
      FROM watchlist_matches m
      JOIN watchlist_entries e ON e.id = m.entry_id
      JOIN watchlists w ON w.id = e.watchlist_id
      JOIN events ev ON ev.id = m.event_id
      WHERE (@from IS NULL OR ev.ts >= @from) AND (@to IS NULL OR ev.ts < @to)
      ORDER BY w.id, e.type, e.value, ev.ts, ev.id`)
    .all({ from: window.from ?? null, to: window.to ?? null }) as MatchRow[];

  const findings = new Map<string, Finding>();
  for (const row of rows) {
    const id = `watchlist:${row.watchlistId}:${row.type}:${row.value}`;
    let finding = findings.get(id);
    if (!finding) {
      const kind = ENTITY_KIND[row.type];
      const entities: EntityRef[] = kind ? [{ kind, value: row.value }] : [];
      finding = {
        id,
        rule: 'watchlist-match',
        title: `Watchlist match: ${row.value}`,
        rationale: `${row.value} (${row.type}) is listed in the watchlist ${row.watchlistName}${row.label ? `: ${row.label}` : ''}.`,
        severity: 'high',
        // A watchlist names indicators, not behaviour, so no ATT&CK technique applies.
        technique: '',
        first: row.ts,
        last: row.ts,
        entities,
        eventIds: [],
        notes: [],
        flags: ['watchlist'],
      };
      findings.set(id, finding);
    }
    finding.eventIds.push(row.eventId);
    if (row.ts !== null) {
      finding.first = finding.first === null ? row.ts : Math.min(finding.first, row.ts);
      finding.last = finding.last === null ? row.ts : Math.max(finding.last, row.ts);
    }
  }
  for (const finding of findings.values()) finding.notes.push(`${finding.eventIds.length} events in the case contain the listed value.`);
  return [...findings.values()];
}
