import { extractFromRecord, type EntityRef, type RelationKind } from './extract.js';

/** Bucket widths in seconds kept for relations and event counts (width 1 is event_seconds for events). */
export const BUCKET_WIDTHS = [1, 60, 3600] as const;

/**
 * Events gathered in memory before their totals are written. Memory stays flat however large
 * the import is, because each write empties the collector.
 */
export const FLUSH_EVERY_EVENTS = 20_000;

/** Logs whose records are read for entities; in all other logs only the hosts are read. */
const PARSED_LOGS = new Set(['conn', 'dns', 'http', 'ssl', 'x509', 'smtp', 'files', 'ftp']);

/** One stored event, as the analysis reads it. */
export interface IndexedEvent {
  id: number;
  log: string;
  /** Microseconds since the epoch, UTC. */
  ts: number | null;
  orig_h: string | null;
  resp_h: string | null;
  /** The parsed record with Zeek's flat field names; null when only the columns are known. */
  fields: Record<string, unknown> | null;
}

/**
 * Totals that a run of events adds to the analysis tables, in plain arrays so they can be posted
 * between threads. Relations name their entities by index into `entities`.
 */
export interface AnalysisTotals {
  /** The events covered are all stored events with ids from firstId to lastId; null when none. */
  firstId: number | null;
  lastId: number;
  /** [log, second, count] */
  seconds: Array<[string, number, number]>;
  /** [width, log, bucket, count] for the widths above one second. */
  eventBuckets: Array<[number, string, number, number]>;
  entities: EntityTotals[];
  relations: RelationTotals[];
}

export interface EntityTotals {
  kind: string;
  value: string;
  count: number;
  first: number | null;
  last: number | null;
  /**
   * Events that mention the entity. A host is linked only where it is not the event's orig_h or
   * resp_h (a DNS answer, for example), because events index those two columns.
   */
  eventIds: number[];
}

export interface RelationTotals {
  kind: RelationKind;
  source: number;
  target: number;
  detail: string;
  count: number;
  bytes: number;
  first: number | null;
  last: number | null;
  /** [width, bucket, count, bytes] for every width in BUCKET_WIDTHS. */
  buckets: Array<[number, number, number, number]>;
}

interface RelationCounter {
  kind: RelationKind;
  sourceKey: string;
  targetKey: string;
  detail: string;
  count: number;
  bytes: number;
  first: number | null;
  last: number | null;
  /** Per second: [count, bytes]. */
  seconds: Map<number, [number, number]>;
}

/**
 * Gathers the entities, relations and time counts of events in memory. It touches no database,
 * so it runs on the thread that parses the logs while another thread writes. Each `take` hands
 * the totals over and starts afresh, which keeps memory flat however many events pass.
 */
export class AnalysisCollector {
  private entities = new Map<string, EntityTotals>();
  private relations = new Map<string, RelationCounter>();
  /** Per log, per second: event count. */
  private seconds = new Map<string, Map<number, number>>();
  private firstId: number | null = null;
  private lastId = 0;
  private events = 0;

  /** Events added since the last `take`. */
  get size(): number {
    return this.events;
  }

  /** Adds an event. Events must come in id order, and every stored event in the range must be added. */
  add(event: IndexedEvent): void {
    if (this.firstId === null) this.firstId = event.id;
    this.lastId = event.id;
    this.events++;
    if (event.ts !== null) countSecond(this.seconds, event.log.toWellFormed(), Math.floor(event.ts / 1_000_000));

    const mentioned = new Map<string, EntityRef>();
    const mention = (found: EntityRef): string => {
      // Values travel to SQLite inside JSON text, where a lone UTF-16 surrogate would not come
      // back as the same string, so it is replaced (U+FFFD) as better-sqlite3 does when binding.
      const entity = found.value.isWellFormed() ? found : { kind: found.kind, value: found.value.toWellFormed() };
      const key = `${entity.kind}\u0000${entity.value}`;
      mentioned.set(key, entity);
      return key;
    };

    if (event.fields !== null && PARSED_LOGS.has(event.log)) {
      const extraction = extractFromRecord(event.log, event.fields);
      for (const entity of extraction.entities) mention(entity);
      for (const relation of extraction.relations) {
        const sourceKey = mention(relation.source);
        const targetKey = mention(relation.target);
        const detail = relation.detail.isWellFormed() ? relation.detail : relation.detail.toWellFormed();
        this.countRelation(relation.kind, sourceKey, targetKey, detail, relation.bytes, event.ts);
      }
    } else {
      for (const address of [event.orig_h, event.resp_h]) {
        if (address) mention({ kind: 'host', value: address.toLowerCase() });
      }
    }

    const origHost = event.orig_h?.toLowerCase();
    const respHost = event.resp_h?.toLowerCase();
    for (const [key, entity] of mentioned) {
      let totals = this.entities.get(key);
      if (!totals) this.entities.set(key, (totals = { kind: entity.kind, value: entity.value, count: 0, first: null, last: null, eventIds: [] }));
      totals.count++;
      if (event.ts !== null) {
        totals.first = totals.first === null ? event.ts : Math.min(totals.first, event.ts);
        totals.last = totals.last === null ? event.ts : Math.max(totals.last, event.ts);
      }
      if (entity.kind !== 'host' || (entity.value !== origHost && entity.value !== respHost)) totals.eventIds.push(event.id);
    }
  }

  /** Returns the totals gathered since the last call and empties the collector. */
  take(): AnalysisTotals {
    const entityIndex = new Map<string, number>();
    for (const key of this.entities.keys()) entityIndex.set(key, entityIndex.size);

    const relations: RelationTotals[] = [];
    for (const counter of this.relations.values()) {
      const buckets: Array<[number, number, number, number]> = [];
      for (const width of BUCKET_WIDTHS) {
        for (const [bucket, [count, bytes]] of sumCells(counter.seconds, width)) buckets.push([width, bucket, count, bytes]);
      }
      relations.push({
        kind: counter.kind,
        source: entityIndex.get(counter.sourceKey)!,
        target: entityIndex.get(counter.targetKey)!,
        detail: counter.detail,
        count: counter.count,
        bytes: counter.bytes,
        first: counter.first,
        last: counter.last,
        buckets,
      });
    }

    const seconds: AnalysisTotals['seconds'] = [];
    const eventBuckets: AnalysisTotals['eventBuckets'] = [];
    for (const [log, perLog] of this.seconds) {
      for (const [second, count] of perLog) seconds.push([log, second, count]);
      for (const width of BUCKET_WIDTHS) {
        if (width === 1) continue;
        for (const [bucket, count] of sumCounts(perLog, width)) eventBuckets.push([width, log, bucket, count]);
      }
    }

    const totals: AnalysisTotals = { firstId: this.firstId, lastId: this.lastId, seconds, eventBuckets, entities: [...this.entities.values()], relations };
    this.entities = new Map();
    this.relations = new Map();
    this.seconds = new Map();
    this.firstId = null;
    this.events = 0;
    return totals;
  }

  private countRelation(kind: RelationKind, sourceKey: string, targetKey: string, detail: string, bytes: number, ts: number | null): void {
    const key = `${kind}\u0001${sourceKey}\u0001${targetKey}\u0001${detail}`;
    let counter = this.relations.get(key);
    if (!counter) {
      counter = { kind, sourceKey, targetKey, detail, count: 0, bytes: 0, first: null, last: null, seconds: new Map() };
      this.relations.set(key, counter);
    }
    counter.count++;
    counter.bytes += bytes;
    if (ts === null) return;

    counter.first = counter.first === null ? ts : Math.min(counter.first, ts);
    counter.last = counter.last === null ? ts : Math.max(counter.last, ts);
    const second = Math.floor(ts / 1_000_000);
    const cell = counter.seconds.get(second);
    if (cell) {
      cell[0]++;
      cell[1] += bytes;
    } else {
      counter.seconds.set(second, [1, bytes]);
    }
  }
}

function countSecond(counts: Map<string, Map<number, number>>, log: string, second: number): void {
  let perLog = counts.get(log);
  if (!perLog) counts.set(log, (perLog = new Map()));
  perLog.set(second, (perLog.get(second) ?? 0) + 1);
}

/** Sums per-second event counts into buckets of `width` seconds (bucket = floor(second / width)). */
function sumCounts(perSecond: Map<number, number>, width: number): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const [second, count] of perSecond) {
    const bucket = Math.floor(second / width);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + count);
  }
  return buckets;
}

/** Sums per-second [count, bytes] cells into buckets of `width` seconds. */
function sumCells(perSecond: Map<number, [number, number]>, width: number): Map<number, [number, number]> {
  if (width === 1) return perSecond;
  const buckets = new Map<number, [number, number]>();
  for (const [second, [count, bytes]] of perSecond) {
    const bucket = Math.floor(second / width);
    const cell = buckets.get(bucket);
    if (cell) {
      cell[0] += count;
      cell[1] += bytes;
    } else {
      buckets.set(bucket, [count, bytes]);
    }
  }
  return buckets;
}
