import type { LayoutOptions, Position } from 'cytoscape';

/**
 * Above this many nodes the layout skips fCoSE's force-directed refinement and keeps its spectral
 * draft. NOTE: measured in Chromium on a loaded 2-core machine: the refinement took about 10 s
 * for 400 nodes and the draft about 2 s for 2,000 nodes (test/bench/graph.bench.js).
 */
export const LARGE_GRAPH_NODES = 150;

/** A node held in place: its element id and its model position. */
export interface PinnedNode {
  nodeId: string;
  position: Position;
}

/**
 * fCoSE options for a full layout. Pinned nodes are fixed constraints, so a relayout moves every
 * other node around them. `incremental` starts from the current positions (nodes added by a
 * refetch were placed beside a neighbour first) instead of a random start, so the picture the
 * analyst knows changes little.
 */
export function layoutOptions(nodeCount: number, pinned: readonly PinnedNode[], incremental = false): LayoutOptions {
  const large = nodeCount > LARGE_GRAPH_NODES;
  const options = {
    name: 'fcose',
    // An incremental run must use 'proof' quality (the fCoSE documentation says so for randomize: false).
    quality: incremental ? 'proof' : large ? 'draft' : 'default',
    randomize: !incremental,
    animate: false,
    fit: !incremental,
    padding: 30,
    nodeDimensionsIncludeLabels: false,
    packComponents: false,
    // The draft spreads nodes this far apart, which keeps a large graph readable when zoomed in.
    nodeSeparation: 120,
    nodeRepulsion: () => 12000,
    idealEdgeLength: () => 110,
    fixedNodeConstraint: pinned.length > 0 ? pinned.map((pin) => ({ nodeId: pin.nodeId, position: { ...pin.position } })) : undefined,
  };
  return options as LayoutOptions;
}
