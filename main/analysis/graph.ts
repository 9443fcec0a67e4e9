import { NetcaseError } from '../errors.js';
import type { Db } from '../store/database.js';
import { ENTITY_KINDS, type EntityKind, type RelationKind } from './extract.js';
import { BUCKET_WIDTHS } from './analysis-collector.js';
import { LocalNetworks } from './networks.js';
import { checkWindow, coverWithSignedBuckets, type TimeWindow } from './window.js';

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
  /**
   * Edges and nodes that matched but were left out by maxEdges. nodes is null when more than
   * MAX_RELATIONS_FOR_NODE_COUNT relations match, because counting their distinct ends would
   * read every one of them.
   */
  more: { edges: number; nodes: number | null };
}

export const DEFAULT_MAX_EDGES = 500;
export const MAX_RELATIONS_FOR_NODE_COUNT = 50_000;

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
  const relationKinds = (Object.keys(RELATION_ENDS) as RelationKind[]).filter((kind) => kinds.has(RELATION_ENDS[kind][0]) && kinds.has(RELATION_ENDS[kind][1]));
  const selection: Selection = { minCount, maxEdges, relationKinds, allKinds: relationKinds.length === Object.keys(RELATION_ENDS).length };

  const windowed = options.from !== undefined || options.to !== undefined;
  const { shown, matchingCount, matchingEnds } = windowed ? selectInWindow(db, options, selection) : selectAllTime(db, selection);

  const edges = loadEdges(db, shown);
  const nodes = loadNodes(db, edges, options.localNetworks ?? new LocalNetworks());
  let moreNodes: number | null = 0;
  if (matchingCount > MAX_RELATIONS_FOR_NODE_COUNT) {
    moreNodes = null;
  } else if (matchingCount > shown.length) {
    const all = new Set<number>();
    for (const [source, target] of matchingEnds()) all.add(source).add(target);
    moreNodes = Math.max(0, all.size - nodes.length);
  }
  return { from: options.from ?? null, to: options.to ?? null, nodes, edges, more: { edges: matchingCount - shown.length, nodes: moreNodes } };
}

interface Selection {
  minCount: number;
  maxEdges: number;
  relationKinds: RelationKind[];
  /** True when no relation kind is filtered out, so no kind check is needed. */
  allKinds: boolean;
}

interface SelectedEdges {
  /** Relation ids with their totals, heaviest first, at most maxEdges. */
  shown: [number, Totals][];
  matchingCount: number;
  /** Source and target of every matching relation; read only when the graph is capped. */
  matchingEnds: () => Iterable<[number, number]>;
}

/** Reads the heaviest relations of the whole case through the count index. */
function selectAllTime(db: Db, selection: Selection): SelectedEdges {
  const kindFilter = selection.allKinds ? '' : ` AND kind IN (${selection.relationKinds.map(() => '?').join(', ') || 'NULL'})`;
  const params = [selection.minCount, ...(selection.allKinds ? [] : selection.relationKinds)];
  const rows = db
    .prepare(`SELECT id, count, bytes FROM relations WHERE count >= ?${kindFilter} ORDER BY count DESC, id DESC LIMIT ?`)
    .raw()
    .all(...params, selection.maxEdges) as [number, number, number][];
  const shown = rows.map(([id, count, bytes]): [number, Totals] => [id, { count, bytes }]);
  const matchingCount = db.prepare(`SELECT COUNT(*) FROM relations WHERE count >= ?${kindFilter}`).pluck().get(...params) as number;
  return {
    shown,
    matchingCount,
    matchingEnds: () => db.prepare(`SELECT source_id, target_id FROM relations WHERE count >= ?${kindFilter}`).raw().iterate(...params) as Iterable<[number, number]>,
  };
}

/**
 * Sums the relation buckets that cover the window: hours, minutes and seconds, some of them
 * subtracted (see coverWithSignedBuckets). Each is read as one range of the bucket table's
 * primary key. SQLite groups and ranks the rows, which is about three times faster than doing
 * it row by row here.
 */
function selectInWindow(db: Db, window: TimeWindow, selection: Selection): SelectedEdges {
  const fromSecond = Math.floor((window.from ?? 0) / 1_000_000);
  const toSecond = Math.ceil((window.to ?? Number.MAX_SAFE_INTEGER) / 1_000_000);
  const ranges = coverWithSignedBuckets(fromSecond, toSecond, [...BUCKET_WIDTHS].sort((a, b) => b - a));
  if (ranges.length === 0) return { shown: [], matchingCount: 0, matchingEnds: () => [] };

  const rows = ranges.map(() => 'SELECT relation_id, ? * count AS count, ? * bytes AS bytes FROM relation_buckets WHERE width = ? AND bucket >= ? AND bucket < ?').join(' UNION ALL ');
  const kindFilter = selection.allKinds ? '' : ` AND relation_id IN (SELECT id FROM relations WHERE kind IN (${selection.relationKinds.map(() => '?').join(', ') || 'NULL'}))`;
  const totals = `SELECT relation_id, SUM(count) AS count, SUM(bytes) AS bytes FROM (${rows}) GROUP BY relation_id HAVING SUM(count) >= ?${kindFilter}`;
  const params = [...ranges.flatMap((range) => [range.sign, range.sign, range.width, range.fromBucket, range.toBucket]), selection.minCount, ...(selection.allKinds ? [] : selection.relationKinds)];

  const ranked = db
    .prepare(`SELECT relation_id, count, bytes, COUNT(*) OVER () FROM (${totals}) ORDER BY count DESC, relation_id DESC LIMIT ?`)
    .raw()
    .all(...params, selection.maxEdges) as [number, number, number, number][];
  return {
    shown: ranked.map(([id, count, bytes]): [number, Totals] => [id, { count, bytes }]),
    matchingCount: ranked[0]?.[3] ?? 0,
    matchingEnds: () =>
      db
        .prepare(`SELECT r.source_id, r.target_id FROM (${totals}) t JOIN relations r ON r.id = t.relation_id`)
        .raw()
        .iterate(...params) as Iterable<[number, number]>,
  };
}

function loadEdges(db: Db, shown: [number, Totals][]): GraphEdge[] {
  const rows = db
    .prepare('SELECT id, kind, source_id, target_id, detail, first_ts, last_ts FROM relations WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(shown.map(([id]) => id))) as { id: number; kind: RelationKind; source_id: number; target_id: number; detail: string; first_ts: number | null; last_ts: number | null }[];
  const byId = new Map(rows.map((row) => [row.id, row]));
  return shown.map(([id, total]) => {
    const row = byId.get(id)!;
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
  const rows = db
    .prepare('SELECT id, kind, value, first_ts, last_ts FROM entities WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify([...weights.keys()])) as { id: number; kind: EntityKind; value: string; first_ts: number | null; last_ts: number | null }[];
  const byId = new Map(rows.map((row) => [row.id, row]));
  const nodes: GraphNode[] = [];
  for (const [id, weight] of weights) {
    const row = byId.get(id)!;
    const node: GraphNode = { id, kind: row.kind, value: row.value, weight: weight.count, bytes: weight.bytes, firstSeen: row.first_ts, lastSeen: row.last_ts };
    if (row.kind === 'host') node.internal = networks.isInternal(row.value);
    nodes.push(node);
  }
  return nodes.sort((a, b) => b.weight - a.weight || a.id - b.id);
}
