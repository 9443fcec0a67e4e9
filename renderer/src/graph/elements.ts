import type { ElementDefinition } from 'cytoscape';
import type { EntityKind, Graph, GraphEdge, GraphNode, Verdict } from '../../../preload/api.js';

/** The node styles of the graph: hosts split by the local networks, then domains, emails and the rest. */
export type NodeClass = 'internal' | 'external' | 'domain' | 'email' | 'other';

/** The measure behind edge width: the number of times a relation was seen, or the bytes it carried. */
export type EdgeWeight = 'sessions' | 'bytes';

export const MIN_EDGE_WIDTH = 1;
export const MAX_EDGE_WIDTH = 8;

/** Labels longer than this are cut with an ellipsis; the node list keeps the whole value. */
const MAX_LABEL_LENGTH = 40;

/** The data of a node element, read by the stylesheet and the event handlers. */
export interface NodeData {
  id: string;
  entityId: number;
  kind: EntityKind;
  value: string;
  label: string;
  nodeClass: NodeClass;
  /** The analyst's verdict on the value, or '' when it has none. */
  verdict: Verdict | '';
  firstSeen: number | null;
}

/** The data of an edge element. `width` is in CSS pixels. */
export interface EdgeData {
  id: string;
  source: string;
  target: string;
  relationId: number;
  kind: string;
  count: number;
  bytes: number;
  width: number;
  firstSeen: number | null;
}

export function nodeClass(node: Pick<GraphNode, 'kind' | 'internal'>): NodeClass {
  if (node.kind === 'host') return node.internal ? 'internal' : 'external';
  if (node.kind === 'domain' || node.kind === 'email') return node.kind;
  return 'other';
}

export function nodeElementId(entityId: number): string {
  return `n${entityId}`;
}

export function edgeElementId(relationId: number): string {
  return `e${relationId}`;
}

export function nodeLabel(value: string): string {
  return value.length > MAX_LABEL_LENGTH ? `${value.slice(0, MAX_LABEL_LENGTH - 1)}…` : value;
}

/**
 * Scales an edge's count or bytes to a width between MIN_EDGE_WIDTH and MAX_EDGE_WIDTH on a
 * logarithmic scale, so one bulk transfer does not flatten every other edge to the minimum.
 */
export function edgeWidth(value: number, maxValue: number): number {
  if (maxValue <= 0 || value <= 0) return MIN_EDGE_WIDTH;
  const share = Math.log1p(value) / Math.log1p(maxValue);
  return MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) * Math.min(1, share);
}

export function edgeWeightValue(edge: Pick<GraphEdge, 'count' | 'bytes'>, weight: EdgeWeight): number {
  return weight === 'sessions' ? edge.count : edge.bytes;
}

/**
 * Builds the Cytoscape elements of a graph: one node per entity with its style class and
 * verdict, and one edge per relation with its width for `weight`.
 */
export function buildElements(graph: Graph, weight: EdgeWeight, verdictOf: (value: string) => Verdict | undefined): ElementDefinition[] {
  const nodes = graph.nodes.map((node): ElementDefinition => ({ group: 'nodes', data: nodeData(node, verdictOf) }));

  const widths = edgeWidths(graph.edges, weight);
  const edges = graph.edges.map((edge): ElementDefinition => {
    const data: EdgeData = {
      id: edgeElementId(edge.id),
      source: nodeElementId(edge.source),
      target: nodeElementId(edge.target),
      relationId: edge.id,
      kind: edge.kind,
      count: edge.count,
      bytes: edge.bytes,
      width: widths.get(edge.id) ?? MIN_EDGE_WIDTH,
      firstSeen: edge.firstSeen,
    };
    return { group: 'edges', data };
  });

  return [...nodes, ...edges];
}

export function nodeData(node: GraphNode, verdictOf: (value: string) => Verdict | undefined): NodeData {
  return {
    id: nodeElementId(node.id),
    entityId: node.id,
    kind: node.kind,
    value: node.value,
    label: nodeLabel(node.value),
    nodeClass: nodeClass(node),
    verdict: verdictOf(node.value) ?? '',
    firstSeen: node.firstSeen,
  };
}

/** Returns each relation's edge width for `weight`, scaled against the heaviest edge shown. */
export function edgeWidths(edges: readonly Pick<GraphEdge, 'id' | 'count' | 'bytes'>[], weight: EdgeWeight): Map<number, number> {
  let maxValue = 0;
  for (const edge of edges) maxValue = Math.max(maxValue, edgeWeightValue(edge, weight));
  return new Map(edges.map((edge) => [edge.id, edgeWidth(edgeWeightValue(edge, weight), maxValue)]));
}

/** The element ids shown at one moment of a replay. */
export interface ReplayVisibility {
  nodes: Set<string>;
  edges: Set<string>;
}

/**
 * Picks the elements a replay shows at `playhead` (microseconds): nodes first seen at or before
 * it, and edges first seen at or before it whose two ends are shown. An element whose first time
 * is unknown (null) stays hidden for the whole replay, because it cannot be placed in time.
 */
export function replayVisibility(graph: Pick<Graph, 'nodes' | 'edges'>, playhead: number): ReplayVisibility {
  const nodes = new Set<string>();
  for (const node of graph.nodes) {
    if (node.firstSeen !== null && node.firstSeen <= playhead) nodes.add(nodeElementId(node.id));
  }

  const edges = new Set<string>();
  for (const edge of graph.edges) {
    if (edge.firstSeen === null || edge.firstSeen > playhead) continue;
    if (nodes.has(nodeElementId(edge.source)) && nodes.has(nodeElementId(edge.target))) edges.add(edgeElementId(edge.id));
  }
  return { nodes, edges };
}

/**
 * Finds the node a search names: an exact value first (case-insensitive), then the heaviest node
 * whose value contains the text. Graph nodes come sorted by weight, heaviest first.
 */
export function findNode(nodes: readonly Pick<GraphNode, 'id' | 'value'>[], query: string): number | null {
  const text = query.trim().toLowerCase();
  if (text === '') return null;
  const exact = nodes.find((node) => node.value.toLowerCase() === text);
  if (exact) return exact.id;
  const partial = nodes.find((node) => node.value.toLowerCase().includes(text));
  return partial ? partial.id : null;
}
