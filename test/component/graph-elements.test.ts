import { describe, expect, it } from 'vitest';
import type { Graph, GraphEdge, GraphNode } from '../../preload/api.js';
import { buildElements, edgeWidth, findNode, MAX_EDGE_WIDTH, MIN_EDGE_WIDTH, nodeClass, replayVisibility } from '../../renderer/src/graph/elements.js';
import { layoutOptions, LARGE_GRAPH_NODES, SMALL_GRAPH_NODES } from '../../renderer/src/graph/layout.js';

const T0 = 1_700_000_000_000_000;

function node(id: number, kind: GraphNode['kind'], value: string, extra: Partial<GraphNode> = {}): GraphNode {
  return { id, kind, value, weight: 1, bytes: 0, firstSeen: T0 + id * 1_000_000, lastSeen: null, ...extra };
}

function edge(id: number, source: number, target: number, extra: Partial<GraphEdge> = {}): GraphEdge {
  return { id, kind: 'connected', source, target, detail: '', count: 1, bytes: 0, firstSeen: T0, lastSeen: null, ...extra };
}

const GRAPH: Graph = {
  from: null,
  to: null,
  nodes: [
    node(1, 'host', '10.1.9.101', { internal: true }),
    node(2, 'host', '158.101.44.242', { internal: false }),
    node(3, 'domain', 'eraqron.shop'),
    node(4, 'email', 'jump@eraqron.shop'),
    node(5, 'url', 'http://checkip.dyndns.org/'),
  ],
  edges: [edge(10, 1, 2, { count: 100, bytes: 10 }), edge(11, 1, 3, { count: 1, bytes: 5_000_000 }), edge(12, 4, 3, { count: 10, bytes: 0 })],
  more: { edges: 0, nodes: 0 },
};

describe('nodeClass', () => {
  it.each([
    [{ kind: 'host', internal: true }, 'internal'],
    [{ kind: 'host', internal: false }, 'external'],
    [{ kind: 'host' }, 'external'],
    [{ kind: 'domain' }, 'domain'],
    [{ kind: 'email' }, 'email'],
    [{ kind: 'url' }, 'other'],
    [{ kind: 'file' }, 'other'],
    [{ kind: 'user_agent' }, 'other'],
  ] as const)('%o is %s', (input, expected) => {
    expect(nodeClass(input)).toBe(expected);
  });
});

describe('buildElements', () => {
  const verdicts = new Map([['eraqron.shop', 'malicious' as const]]);
  const elements = buildElements(GRAPH, 'sessions', (value) => verdicts.get(value));
  const nodes = elements.filter((element) => element.group === 'nodes');
  const edges = elements.filter((element) => element.group === 'edges');

  it('makes one node per entity with its class', () => {
    expect(nodes.map((element) => [element.data.id, element.data.nodeClass])).toEqual([
      ['n1', 'internal'],
      ['n2', 'external'],
      ['n3', 'domain'],
      ['n4', 'email'],
      ['n5', 'other'],
    ]);
  });

  it('carries the verdict or an empty string', () => {
    expect(nodes.find((element) => element.data.value === 'eraqron.shop')?.data.verdict).toBe('malicious');
    expect(nodes.find((element) => element.data.value === '10.1.9.101')?.data.verdict).toBe('');
  });

  it('links edges to node element ids', () => {
    expect(edges.map((element) => [element.data.id, element.data.source, element.data.target])).toEqual([
      ['e10', 'n1', 'n2'],
      ['e11', 'n1', 'n3'],
      ['e12', 'n4', 'n3'],
    ]);
  });

  it('widths follow sessions', () => {
    const width = (id: string) => edges.find((element) => element.data.id === id)?.data.width as number;
    expect(width('e10')).toBe(MAX_EDGE_WIDTH);
    expect(width('e11')).toBeLessThan(width('e12'));
    expect(width('e12')).toBeLessThan(width('e10'));
  });

  it('widths follow bytes', () => {
    const byBytes = buildElements(GRAPH, 'bytes', () => undefined).filter((element) => element.group === 'edges');
    const width = (id: string) => byBytes.find((element) => element.data.id === id)?.data.width as number;
    expect(width('e11')).toBe(MAX_EDGE_WIDTH);
    expect(width('e12')).toBe(MIN_EDGE_WIDTH);
    expect(width('e10')).toBeGreaterThan(MIN_EDGE_WIDTH);
    expect(width('e10')).toBeLessThan(width('e11'));
  });

  it('cuts long labels but keeps the value', () => {
    const long = 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.2; .NET CLR 1.0.3705;)';
    const [element] = buildElements({ ...GRAPH, nodes: [node(9, 'user_agent', long)], edges: [] }, 'sessions', () => undefined);
    expect(element?.data.value).toBe(long);
    expect(element?.data.label).toHaveLength(40);
    expect(element?.data.label.endsWith('…')).toBe(true);
  });
});

describe('edgeWidth', () => {
  it('stays within the bounds', () => {
    expect(edgeWidth(0, 100)).toBe(MIN_EDGE_WIDTH);
    expect(edgeWidth(5, 0)).toBe(MIN_EDGE_WIDTH);
    expect(edgeWidth(100, 100)).toBe(MAX_EDGE_WIDTH);
    expect(edgeWidth(1_000, 100)).toBe(MAX_EDGE_WIDTH);
  });

  it('grows on a log scale', () => {
    const small = edgeWidth(10, 1_000_000) - MIN_EDGE_WIDTH;
    const large = edgeWidth(1_000, 1_000_000) - MIN_EDGE_WIDTH;
    expect(large).toBeCloseTo(small * (Math.log1p(1_000) / Math.log1p(10)), 6);
  });
});

describe('replayVisibility', () => {
  it('shows what was seen by the playhead', () => {
    const graph = {
      nodes: [node(1, 'host', 'a', { firstSeen: T0 }), node(2, 'domain', 'b', { firstSeen: T0 + 5 }), node(3, 'domain', 'c', { firstSeen: T0 + 20 })],
      edges: [edge(10, 1, 2, { firstSeen: T0 + 6 }), edge(11, 1, 2, { firstSeen: T0 + 15 }), edge(12, 1, 3, { firstSeen: T0 + 7 })],
    };
    const visible = replayVisibility(graph, T0 + 10);
    expect([...visible.nodes].sort()).toEqual(['n1', 'n2']);
    expect([...visible.edges]).toEqual(['e10']);
  });

  it('includes elements first seen at the playhead', () => {
    const graph = { nodes: [node(1, 'host', 'a', { firstSeen: T0 }), node(2, 'host', 'b', { firstSeen: T0 })], edges: [edge(10, 1, 2, { firstSeen: T0 })] };
    const visible = replayVisibility(graph, T0);
    expect(visible.nodes.size).toBe(2);
    expect(visible.edges.has('e10')).toBe(true);
  });

  it('hides elements of unknown time', () => {
    const graph = { nodes: [node(1, 'host', 'a', { firstSeen: null }), node(2, 'host', 'b', { firstSeen: T0 })], edges: [edge(10, 2, 2, { firstSeen: null })] };
    const visible = replayVisibility(graph, T0 + 100);
    expect([...visible.nodes]).toEqual(['n2']);
    expect(visible.edges.size).toBe(0);
  });
});

describe('findNode', () => {
  const nodes = [
    { id: 1, value: 'checkip.dyndns.org' },
    { id: 2, value: 'checkip.dyndns.com' },
    { id: 3, value: 'dyndns' },
  ];

  it('prefers an exact match', () => {
    expect(findNode(nodes, 'DYNDNS')).toBe(3);
  });

  it('falls back to the first containing', () => {
    expect(findNode(nodes, 'checkip')).toBe(1);
    expect(findNode(nodes, '.com')).toBe(2);
  });

  it('returns null for no match', () => {
    expect(findNode(nodes, 'eraqron')).toBeNull();
    expect(findNode(nodes, '   ')).toBeNull();
  });
});

describe('layoutOptions', () => {
  it('pins become fixed constraints', () => {
    const options = layoutOptions(10, [{ nodeId: 'n1', position: { x: 5, y: 7 } }]) as unknown as Record<string, unknown>;
    expect(options.fixedNodeConstraint).toEqual([{ nodeId: 'n1', position: { x: 5, y: 7 } }]);
    expect(options.randomize).toBe(true);
  });

  it('small graphs get proof quality', () => {
    const small = layoutOptions(SMALL_GRAPH_NODES, []) as unknown as Record<string, unknown>;
    const medium = layoutOptions(SMALL_GRAPH_NODES + 1, []) as unknown as Record<string, unknown>;
    expect(small.quality).toBe('proof');
    expect(small.nodeDimensionsIncludeLabels).toBe(true);
    expect(medium.quality).toBe('default');
  });

  it('large graphs keep the draft', () => {
    const small = layoutOptions(LARGE_GRAPH_NODES, []) as unknown as Record<string, unknown>;
    const large = layoutOptions(LARGE_GRAPH_NODES + 1, []) as unknown as Record<string, unknown>;
    expect(small.quality).toBe('default');
    expect(large.quality).toBe('draft');
  });

  it('incremental runs start from positions', () => {
    const options = layoutOptions(10, [], true) as unknown as Record<string, unknown>;
    expect(options.randomize).toBe(false);
    expect(options.quality).toBe('proof');
    expect(options.fixedNodeConstraint).toBeUndefined();
  });
});
