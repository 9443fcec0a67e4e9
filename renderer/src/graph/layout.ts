import type { LayoutOptions, Position } from 'cytoscape';

/**
 * Above this many nodes the layout skips fCoSE's force-directed refinement and keeps its spectral
 * draft. NOTE: measured with headless Cytoscape in Node 20 on a 2-core machine under a load of
 * about 10, the refinement took about 10 s for 400 nodes and the draft 2 to 6 s for 2,000 nodes.
 */
export const LARGE_GRAPH_NODES = 150;

/** Up to this many nodes the layout runs at 'proof' quality, slower but with fewer overlaps. */
export const SMALL_GRAPH_NODES = 60;

/** A node held in place: its element id and its model position. */
export interface PinnedNode {
  nodeId: string;
  position: Position;
}

/**
 * fCoSE options for a full layout. Pinned nodes are fixed constraints, so a relayout moves every
 * other node around them. `incremental` starts from the current positions (nodes added by a
 * refetch were placed beside a neighbour first) instead of a random start, so the picture the
 * analyst has seen changes little.
 */
export function layoutOptions(nodeCount: number, pinned: readonly PinnedNode[], incremental = false): LayoutOptions {
  const large = nodeCount > LARGE_GRAPH_NODES;
  // An incremental run must use 'proof' quality (the fCoSE documentation says so for randomize: false).
  let quality = large ? 'draft' : 'default';
  if (incremental || nodeCount <= SMALL_GRAPH_NODES) quality = 'proof';
  const options = {
    name: 'fcose',
    quality,
    randomize: !incremental,
    animate: false,
    fit: !incremental,
    padding: 30,
    // It keeps labels of small graphs from overlapping nodes. A large graph draws no labels
    // until zoomed in, and measuring thousands of labels would slow its layout.
    nodeDimensionsIncludeLabels: !large,
    packComponents: false,
    // The draft spreads nodes this far apart, which keeps a large graph readable when zoomed in.
    nodeSeparation: 120,
    nodeRepulsion: () => 12000,
    idealEdgeLength: () => 110,
    fixedNodeConstraint: pinned.length > 0 ? pinned.map((pin) => ({ nodeId: pin.nodeId, position: { ...pin.position } })) : undefined,
  };
  return options as LayoutOptions;
}
