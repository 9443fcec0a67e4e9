import type { Graph, GraphEdge, Input, IocWithSighting, NetcaseApi } from '../../../preload/api.js';

/** What the page's stand-in for `window.netcase` serves: one graph and the case's IOCs. */
export interface GraphPageData {
  graph: Graph;
  iocs: IocWithSighting[];
  /** The pane's edge cap; the pane's own default when absent. */
  maxEdges?: number;
}

/** Calls the pane made, for the bench to check. */
export interface StubLog {
  /** Each `graph.get` input with the page time (performance.now, ms) it arrived at. */
  graphRequests: { input: Input<'graph.get'>; at: number }[];
  savedImages: { bytes: number }[];
}

/**
 * Installs a `window.netcase` that serves the methods the graph pane calls from `data`, the way
 * main's `graph.get` would: the window and minimum count filter the edges, the heaviest
 * `maxEdges` are kept, and the rest are counted in `more`.
 */
export function installStub(data: GraphPageData): StubLog {
  const log: StubLog = { graphRequests: [], savedImages: [] };
  const stub = {
    graph: {
      get: async (input: Input<'graph.get'>) => {
        log.graphRequests.push({ input, at: performance.now() });
        return selectGraph(data.graph, input);
      },
    },
    iocs: { list: async () => ({ iocs: data.iocs }) },
    dialogs: { choose: async () => ({ files: [{ token: '0'.repeat(32), name: 'graph.png', path: '/tmp/graph.png' }] }) },
    exports: {
      saveImage: async (input: Input<'exports.saveImage'>) => {
        const bytes = Math.floor((input.png.length * 3) / 4);
        log.savedImages.push({ bytes });
        return { path: '/tmp/graph.png', bytes };
      },
    },
  };
  window.netcase = stub as unknown as NetcaseApi;
  return log;
}

function selectGraph(graph: Graph, input: Input<'graph.get'>): Graph {
  const minCount = input.minCount ?? 1;
  const inWindow = (edge: GraphEdge) =>
    (input.from === undefined || (edge.lastSeen ?? Number.MAX_SAFE_INTEGER) >= input.from) && (input.to === undefined || (edge.firstSeen ?? 0) <= input.to);
  const matching = graph.edges.filter((edge) => edge.count >= minCount && inWindow(edge)).sort((a, b) => b.count - a.count || b.id - a.id);
  const edges = matching.slice(0, input.maxEdges ?? 500);

  const shownIds = new Set(edges.flatMap((edge) => [edge.source, edge.target]));
  const allIds = new Set(matching.flatMap((edge) => [edge.source, edge.target]));
  const nodes = graph.nodes.filter((node) => shownIds.has(node.id));
  return { from: input.from ?? null, to: input.to ?? null, nodes, edges, more: { edges: matching.length - edges.length, nodes: allIds.size - shownIds.size } };
}
