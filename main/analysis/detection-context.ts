import type { Db } from '../store/database.js';
import type { EntityRef } from './extract.js';
import type { LocalNetworks } from './networks.js';
import type { Rule, RuleSet, Severity, Stage } from './rules.js';
import { ServiceMatcher } from './rules.js';
import type { TimeWindow } from './window.js';

/** One detection: what a rule saw, when, in which entities, and the events behind it. */
export interface Finding {
  /** Stable within a case: rule id and the entity the finding is about. */
  id: string;
  rule: string;
  title: string;
  rationale: string;
  severity: Severity;
  technique: string;
  stage?: Stage;
  first: number | null;
  last: number | null;
  entities: EntityRef[];
  eventIds: number[];
  /** Facts that explain this finding, e.g. how credentials were judged to be exposed. */
  notes: string[];
  /** Machine-readable marks such as "exposed-credentials". */
  flags: string[];
}

/** An event that contacted a service: the event, its time and source host, and the name matched. */
export interface Contact {
  eventId: number;
  ts: number | null;
  log: string;
  host: string | null;
  name: string;
  nameKind: 'domain' | 'url';
}

/** Everything a rule needs, with lookups cached for one findings run. */
export class DetectionContext {
  private domainRows?: { id: number; value: string }[];
  private urlRows?: { id: number; value: string }[];
  private readonly matchers = new Map<string, ServiceMatcher>();
  private readonly contactCache = new Map<string, Contact[]>();

  constructor(
    readonly db: Db,
    readonly window: TimeWindow,
    readonly networks: LocalNetworks,
    readonly rules: RuleSet,
  ) {}

  /** SQL condition and parameters that keep events inside the window (column prefix `e.`). */
  windowFilter(): { sql: string; params: number[] } {
    const parts: string[] = [];
    const params: number[] = [];
    if (this.window.from !== undefined) {
      parts.push('e.ts >= ?');
      params.push(this.window.from);
    }
    if (this.window.to !== undefined) {
      parts.push('e.ts < ?');
      params.push(this.window.to);
    }
    return { sql: parts.length ? ` AND ${parts.join(' AND ')}` : '', params };
  }

  domains(): { id: number; value: string }[] {
    this.domainRows ??= this.db.prepare(`SELECT id, value FROM entities WHERE kind = 'domain'`).all() as { id: number; value: string }[];
    return this.domainRows;
  }

  urls(): { id: number; value: string }[] {
    this.urlRows ??= this.db.prepare(`SELECT id, value FROM entities WHERE kind = 'url'`).all() as { id: number; value: string }[];
    return this.urlRows;
  }

  matcher(serviceId: string): ServiceMatcher {
    let matcher = this.matchers.get(serviceId);
    if (!matcher) this.matchers.set(serviceId, (matcher = new ServiceMatcher(this.rules.services.get(serviceId)!)));
    return matcher;
  }

  /** Events in the window, from the given logs, that name a domain or URL of the service. */
  contacts(serviceId: string, logs: readonly string[]): Contact[] {
    const key = `${serviceId}\u0000${logs.join(',')}`;
    const cached = this.contactCache.get(key);
    if (cached) return cached;

    const matcher = this.matcher(serviceId);
    const targets: { id: number; value: string; kind: 'domain' | 'url' }[] = [
      ...this.domains().filter((row) => matcher.matchesDomain(row.value)).map((row) => ({ ...row, kind: 'domain' as const })),
      ...this.urls().filter((row) => matcher.matchesUrl(row.value)).map((row) => ({ ...row, kind: 'url' as const })),
    ];
    const window = this.windowFilter();
    const select = this.db.prepare(`SELECT e.id, e.ts, e.log, e.orig_h FROM entity_events ee JOIN events e ON e.id = ee.event_id
      WHERE ee.entity_id = ? AND e.log IN (${logs.map(() => '?').join(', ')})${window.sql}`);
    const byEvent = new Map<number, Contact>();
    for (const target of targets) {
      for (const row of select.iterate(target.id, ...logs, ...window.params) as IterableIterator<{ id: number; ts: number | null; log: string; orig_h: string | null }>) {
        if (!byEvent.has(row.id)) byEvent.set(row.id, { eventId: row.id, ts: row.ts, log: row.log, host: row.orig_h, name: target.value, nameKind: target.kind });
      }
    }
    const contacts = [...byEvent.values()].sort(byTime);
    this.contactCache.set(key, contacts);
    return contacts;
  }

  /** Addresses a domain resolved to anywhere in the case. */
  resolvedAddresses(domain: string): string[] {
    return this.db
      .prepare(`SELECT t.value FROM relations r JOIN entities s ON s.id = r.source_id JOIN entities t ON t.id = r.target_id
        WHERE r.kind = 'resolved_to' AND s.kind = 'domain' AND s.value = ? ORDER BY t.value`)
      .pluck()
      .all(domain) as string[];
  }
}

export function byTime(a: { ts: number | null; eventId: number }, b: { ts: number | null; eventId: number }): number {
  return (a.ts ?? Number.MAX_SAFE_INTEGER) - (b.ts ?? Number.MAX_SAFE_INTEGER) || a.eventId - b.eventId;
}

/** Creates a finding with the rule's fixed fields filled in. */
export function newFinding(rule: Rule, subject: string, fields: Pick<Finding, 'entities' | 'eventIds'> & Partial<Finding>): Finding {
  return {
    id: `${rule.id}:${subject}`,
    rule: rule.id,
    title: rule.title,
    rationale: rule.rationale,
    severity: rule.severity,
    technique: rule.technique,
    ...(rule.stage ? { stage: rule.stage } : {}),
    first: null,
    last: null,
    notes: [],
    flags: [],
    ...fields,
  };
}

/** Sets first and last from the events' times. */
export function withTimes(finding: Finding, times: (number | null)[]): Finding {
  finding.first = null;
  finding.last = null;
  for (const ts of times) {
    if (ts === null) continue;
    if (finding.first === null || ts < finding.first) finding.first = ts;
    if (finding.last === null || ts > finding.last) finding.last = ts;
  }
  return finding;
}

/** Entities without repeats, in first-seen order. */
export function uniqueEntities(entities: EntityRef[]): EntityRef[] {
  const seen = new Set<string>();
  return entities.filter((entity) => {
    const key = `${entity.kind}\u0000${entity.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
