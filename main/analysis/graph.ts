import { NetcaseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { ENTITY_KINDS, type EntityKind, type RelationKind } from './extract.js';
import { BUCKET_WIDTHS } from './indexer.js';
import { LocalNetworks } from './networks.js';
import { checkWindow, splitIntoBuckets, type TimeWindow } from './window.js';

export interface GraphOptions extends TimeWindow {
  /** Leave out relations seen fewer times than this in the window. */
  minCount?: number;
  /** Entity kinds to show; a relation is shown when both its ends are of these kinds. */
  kinds?: EntityKind[];
  /** Maximum number of edges returned; the heaviest are kept. */
  maxEdges?: number;
  localNetworks?: LocalNetworks;
}

export interface GraphNode {
  id: number;
  kind: EntityKind;
  value: string;
  /** For hosts: inside the local networks. */
  internal?: boolean;
  /** Sum of the counts and bytes of the node's edges in the window. */
  weight: number;
  bytes: number;
  /** First and last time the entity was seen anywhere in the case. */
  firstSeen: number | null;
  lastSeen: number | null;
}

export interface GraphEdge {
  id: number;
  kind: RelationKind;
  source: number;
  target: number;
  detail: string;
  /** Times the relation was seen in the window, and bytes carried (connections, HTTP bodies, files). */
  count: number;
  bytes: number;
  firstSeen: number | null;
  lastSeen: number | null;
}

export interface Graph {
  from: number | null;
  to: number | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Edges and nodes that matched but were left out by maxEdges. */
  more: { edges: number; nodes: number };
}

export const DEFAULT_MAX_EDGES = 500;

/** The entity kinds at the two ends of each relation kind. */
export const RELATION_ENDS: Record<RelationKind, [EntityKind, EntityKind]> = {
  queried: ['host', 'domain'],
  resolved_to: ['domain', 'host'],
  alias_of: ['domain', 'domain'],
  connected: ['host', 'host'],
  reached_tls: ['host', 'domain'],
  reached_http: ['host', 'domain'],
  requested: ['host', 'url'],
  used_agent: ['host', 'user_agent'],
  mailed: ['email', 'email'],
  address_in: ['email', 'domain'],
  downloaded: ['host', 'file'],
  uploaded: ['host', 'file'],
};

interface Totals {
  count: number;
  bytes: number;
}

/**
 * Builds the entity graph for a time window. Without a window the relation totals are read
 * directly. With one, the per-hour, per-minute and per-second relation buckets are summed, so
 * the window acts at one-second resolution: a relation seen during a second that overlaps the
 * window is counted.
 */
export function buildGraph(db: Db, options: GraphOptions): Graph {
  checkWindow(options);
  const minCount = options.minCount ?? 1;
  const maxEdges = options.maxEdges ?? DEFAULT_MAX_EDGES;
  const kinds = new Set(options.kinds ?? ENTITY_KINDS);
  for (const kind of kinds) {
    if (!ENTITY_KINDS.includes(kind)) throw new NetcaseError('INVALID_ARGUMENT', `Unknown entity kind "${kind}". Use one or more of ${ENTITY_KINDS.join(', ')}.`);
  }
  const networks = options.localNetworks ?? new LocalNetworks();

  const relationRows = db.prepare('SELECT id, kind, source_id, target_id FROM relations').all() as { id: number; kind: RelationKind; source_id: number; target_id: number }[];
  const relationById = new Map(relationRows.map((row) => [row.id, row]));
  const totals = options.from === undefined && options.to === undefined ? allTotals(db) : windowTotals(db, options);

  const matching: [number, Totals][] = [];
  for (const [id, total] of totals) {
    const ends = RELATION_ENDS[relationById.get(id)!.kind];
    if (total.count >= minCount && ends && kinds.has(ends[0]) && kinds.has(ends[1])) matching.push([id, total]);
  }
  matching.sort((a, b) => b[1].count - a[1].count || b[1].bytes - a[1].bytes || a[0] - b[0]);
  const shown = matching.slice(0, maxEdges);

  const edges = loadEdges(db, shown);
  const nodes = loadNodes(db, edges, networks);
  const allNodeIds = new Set<number>();
  if (matching.length > shown.length) {
    for (const [id] of matching) {
      const row = relationById.get(id)!;
      allNodeIds.add(row.source_id).add(row.target_id);
    }
  }
  return {
    from: options.from ?? null,
    to: options.to ?? null,
    nodes,
    edges,
    more: { edges: matching.length - shown.length, nodes: Math.max(0, allNodeIds.size - nodes.length) },
  };
}

function allTotals(db: Db): Map<number, Totals> {
  const rows = db.prepare('SELECT id, count, bytes FROM relations').all() as { id: number; count: number; bytes: number }[];
  return new Map(rows.map((row) => [row.id, { count: row.count, bytes: row.bytes }]));
}

function windowTotals(db: Db, window: TimeWindow): Map<number, Totals> {
  const bounds = db.prepare('SELECT MIN(first_ts) AS first, MAX(last_ts) AS last FROM relations').get() as { first: number | null; last: number | null };
  const totals = new Map<number, Totals>();
  if (bounds.first === null || bounds.last === null) return totals;

  const fromSecond = Math.floor((window.from ?? bounds.first) / 1_000_000);
  const toSecond = Math.ceil((window.to ?? bounds.last + 1) / 1_000_000);
  const sum = db.prepare(`SELECT relation_id AS id, SUM(count) AS count, SUM(bytes) AS bytes FROM relation_buckets
    WHERE width = ? AND bucket >= ? AND bucket < ? GROUP BY relation_id`);
  const widths = [...BUCKET_WIDTHS].sort((a, b) => b - a);
  for (const range of splitIntoBuckets(fromSecond, toSecond, widths)) {
    for (const row of sum.iterate(range.width, range.fromBucket, range.toBucket) as IterableIterator<{ id: number } & Totals>) {
      const total = totals.get(row.id);
      if (total) {
        total.count += row.count;
        total.bytes += row.bytes;
      } else {
        totals.set(row.id, { count: row.count, bytes: row.bytes });
      }
    }
  }
  return totals;
}

function loadEdges(db: Db, shown: [number, Totals][]): GraphEdge[] {
  const select = db.prepare('SELECT id, kind, source_id, target_id, detail, first_ts, last_ts FROM relations WHERE id = ?');
  return shown.map(([id, total]) => {
    const row = select.get(id) as { id: number; kind: RelationKind; source_id: number; target_id: number; detail: string; first_ts: number | null; last_ts: number | null };
    return { id, kind: row.kind, source: row.source_id, target: row.target_id, detail: row.detail, count: total.count, bytes: total.bytes, firstSeen: row.first_ts, lastSeen: row.last_ts };
  });
}

function loadNodes(db: Db, edges: GraphEdge[], networks: LocalNetworks): GraphNode[] {
  const weights = new Map<number, Totals>();
  for (const edge of edges) {
    for (const id of [edge.source, edge.target]) {
      const weight = weights.get(id) ?? { count: 0, bytes: 0 };
      weight.count += edge.count;
      weight.bytes += edge.bytes;
      weights.set(id, weight);
    }
  }
  const select = db.prepare('SELECT id, kind, value, first_ts, last_ts FROM entities WHERE id = ?');
  const nodes: GraphNode[] = [];
  for (const [id, weight] of weights) {
    const row = select.get(id) as { id: number; kind: EntityKind; value: string; first_ts: number | null; last_ts: number | null };
    const node: GraphNode = { id, kind: row.kind, value: row.value, weight: weight.count, bytes: weight.bytes, firstSeen: row.first_ts, lastSeen: row.last_ts };
    if (row.kind === 'host') node.internal = networks.isInternal(row.value);
    nodes.push(node);
  }
  return nodes.sort((a, b) => b.weight - a.weight || a.id - b.id);
}
