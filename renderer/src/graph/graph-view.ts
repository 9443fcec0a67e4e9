import type { Core, EventObject, NodeSingular, Position } from 'cytoscape';
import type { EntityKind, Graph, Verdict } from '../../../preload/api.js';
import { createCytoscape } from './cytoscape.js';
import { buildElements, edgeWidths, findNode, nodeElementId, replayVisibility, type EdgeWeight, type NodeData } from './elements.js';
import { LARGE_GRAPH_NODES, layoutOptions, type PinnedNode } from './layout.js';
import { buildStylesheet, type GraphTheme } from './style.js';

/** One node as the accessible node list shows it; x and y are rendered CSS pixels in the container. */
export interface NodeListEntry {
  id: string;
  value: string;
  kind: EntityKind;
  verdict: Verdict | '';
  pinned: boolean;
  x: number;
  y: number;
}

export interface GraphViewCallbacks {
  /** The analyst clicked a node. */
  onSelect(node: NodeData): void;
  /** The analyst right-clicked a node; x and y are client pixels. */
  onContextMenu(node: NodeData, x: number, y: number): void;
  /** Node positions on screen changed (after a layout, pan, zoom or drag). */
  onPositions(entries: NodeListEntry[]): void;
}

/** Above this share of nodes without a known position, a refetch lays the whole graph out anew. */
const MAX_NEW_SHARE_FOR_INCREMENTAL = 0.3;

/**
 * Up to this share of new nodes, a refetch of a large graph only places them beside a neighbour
 * and runs no layout, because a layout of thousands of nodes takes seconds. Relayout tidies up.
 */
const MAX_NEW_SHARE_WITHOUT_LAYOUT = 0.5;

/** The pointer must rest on a node this long before the rest fades, so passing over nodes costs no restyle. */
const HOVER_DELAY_MS = 120;

/**
 * The same for a large graph, where fading restyles thousands of elements and redraws take a
 * few hundred milliseconds without a GPU, so a click is not held up by a fade it did not want.
 */
const LARGE_HOVER_DELAY_MS = 400;

/** Zoom from which a large graph shows every label: 10 px labels are then drawn at 9 px or more. */
const LABEL_ZOOM = 0.9;

/** The node list's positions are republished at most this often (ms) while the view moves. */
const POSITIONS_INTERVAL_MS = 100;

/**
 * The Cytoscape side of the graph pane: elements, layout, pins, replay, hover and search focus.
 * It has no Vue state. The pane feeds it data and receives clicks and positions through
 * callbacks.
 */
export class GraphView {
  readonly cy: Core;
  #graph: Graph | null = null;
  #weight: EdgeWeight = 'sessions';
  #playhead: number | null = null;
  #verdictOf: (value: string) => Verdict | undefined = () => undefined;
  /** Pinned nodes by element id, with the model position they keep. */
  readonly #pinned = new Map<string, Position>();
  /** Model positions of every node laid out so far, so a refetch keeps the picture stable. */
  readonly #known = new Map<string, Position>();
  /** The node that a search focused, kept highlighted until the analyst clears it. */
  #focusedId: string | null = null;
  #positionsTimer: ReturnType<typeof setTimeout> | null = null;
  #hoverTimer: ReturnType<typeof setTimeout> | null = null;
  /** True while a node is grabbed, when hover fading would only slow the drag. */
  #grabbing = false;
  /** True once the analyst panned or zoomed; until then a resize fits the graph to the new size. */
  #viewportMoved = false;
  #theme: GraphTheme;
  /** Whether the stylesheet in use is the one for large graphs. */
  #largeStyle = false;
  /** Whether the nodes of a large graph carry the `labelled` class, set when zoomed in. */
  #labelled = false;

  constructor(
    container: HTMLElement | undefined,
    theme: GraphTheme,
    private readonly callbacks: GraphViewCallbacks,
  ) {
    this.#theme = theme;
    this.cy = createCytoscape({
      container,
      style: buildStylesheet(theme, false),
      minZoom: 0.05,
      maxZoom: 5,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    this.#listen();
  }

  /** Labels every node of a large graph while the zoom makes 10 px text at least 9 px tall. */
  #updateLabels(): void {
    const labelled = this.#largeStyle && this.cy.zoom() >= LABEL_ZOOM;
    if (labelled === this.#labelled) return;
    this.#labelled = labelled;
    this.cy.batch(() => {
      if (labelled) this.cy.nodes().addClass('labelled');
      else this.cy.nodes().removeClass('labelled');
    });
  }

  destroy(): void {
    if (this.#positionsTimer !== null) clearTimeout(this.#positionsTimer);
    this.#cancelHover();
    this.cy.destroy();
  }

  setTheme(theme: GraphTheme): void {
    this.#theme = theme;
    this.cy.style(buildStylesheet(theme, this.#largeStyle));
  }

  /** Shows a newly fetched graph, keeping the positions of nodes already on screen. */
  setGraph(graph: Graph): void {
    this.#rememberPositions();
    this.#graph = graph;
    const large = graph.nodes.length > LARGE_GRAPH_NODES;
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(buildElements(graph, this.#weight, this.#verdictOf));
    });
    if (large !== this.#largeStyle) {
      this.#largeStyle = large;
      this.cy.style(buildStylesheet(this.#theme, large));
    }
    // The new nodes carry no `labelled` class. The zoom after the layout sets it, or the
    // branches below that skip the layout do.
    this.#labelled = false;

    const placed = this.#placeKnownNodes();
    this.#applyReplay();
    this.#reapplyFocus();
    const total = this.cy.nodes().length;
    if (total === 0) {
      this.#schedulePositions();
      return;
    }
    if (placed === total) {
      // Every node has been placed before (the window shrank or the threshold rose), so no layout runs.
      this.#updateLabels();
      this.#schedulePositions();
      return;
    }
    const newShare = (total - placed) / total;
    if (placed > 0 && large && newShare <= MAX_NEW_SHARE_WITHOUT_LAYOUT) {
      this.#placeNewNodesBesideNeighbours();
      this.#updateLabels();
      this.#schedulePositions();
      return;
    }
    const incremental = placed > 0 && !large && newShare <= MAX_NEW_SHARE_FOR_INCREMENTAL;
    if (incremental) this.#placeNewNodesBesideNeighbours();
    this.#runLayout(incremental);
  }

  /** Lays every node out anew, around the pinned ones. */
  relayout(): void {
    this.#rememberPositions();
    this.#runLayout(false);
  }

  setWeight(weight: EdgeWeight): void {
    this.#weight = weight;
    if (this.#graph === null) return;
    const widths = edgeWidths(this.#graph.edges, weight);
    this.cy.batch(() => {
      this.cy.edges().forEach((edge) => {
        edge.data('width', widths.get(edge.data('relationId') as number));
      });
    });
  }

  /** Recolours the verdict rings from the IOC store, without refetching. */
  setVerdicts(verdictOf: (value: string) => Verdict | undefined): void {
    this.#verdictOf = verdictOf;
    this.cy.batch(() => {
      this.cy.nodes().forEach((node) => {
        const verdict = verdictOf(node.data('value') as string) ?? '';
        if (node.data('verdict') !== verdict) node.data('verdict', verdict);
      });
    });
    this.#schedulePositions();
  }

  /** Shows only what existed at `playhead` (microseconds), or everything when null. Positions stay put. */
  setPlayhead(playhead: number | null): void {
    this.#playhead = playhead;
    this.#applyReplay();
    this.#reapplyFocus();
    this.#schedulePositions();
  }

  /**
   * Centres, selects and highlights the node a search names. Returns the node's data, or null
   * when no node shown matches.
   */
  focus(query: string): NodeData | null {
    const visibleNodes = this.cy.nodes().filter((node) => !node.hasClass('replay-hidden'));
    const entityId = findNode(
      visibleNodes.map((node) => ({ id: node.data('entityId') as number, value: node.data('value') as string })),
      query,
    );
    if (entityId === null) return null;
    const node = this.cy.getElementById(nodeElementId(entityId));
    this.cy.elements(':selected').unselect();
    node.select();
    this.cy.zoom(Math.max(this.cy.zoom(), 1));
    this.cy.center(node);
    this.#focusedId = node.id();
    this.#highlight(node);
    return node.data() as NodeData;
  }

  clearFocus(): void {
    this.#focusedId = null;
    this.#clearHighlight();
  }

  /** Selects the node of an entity picked elsewhere (a table pivot), or clears the graph's selection. */
  selectEntity(kind: EntityKind, value: string): void {
    const match = this.cy.nodes().filter((node) => node.data('kind') === kind && node.data('value') === value);
    this.cy.elements(':selected').not(match).unselect();
    match.select();
  }

  unselectAll(): void {
    this.cy.elements(':selected').unselect();
  }

  selectedNode(): NodeSingular | null {
    const selected = this.cy.nodes(':selected');
    return selected.length > 0 ? selected[0]! : null;
  }

  isPinned(nodeId: string): boolean {
    return this.#pinned.has(nodeId);
  }

  pin(nodeId: string): void {
    const node = this.cy.getElementById(nodeId);
    if (node.empty()) return;
    this.#pinned.set(nodeId, { ...node.position() });
    node.addClass('pinned');
    this.#schedulePositions();
  }

  unpin(nodeId: string): void {
    this.#pinned.delete(nodeId);
    this.cy.getElementById(nodeId).removeClass('pinned');
    this.#schedulePositions();
  }

  unpinAll(): void {
    this.#pinned.clear();
    this.cy.nodes('.pinned').removeClass('pinned');
    this.#schedulePositions();
  }

  get pinnedCount(): number {
    return this.#pinned.size;
  }

  /** Renders the whole graph as a PNG at twice its model size and returns the base64 text. */
  exportPng(background: string): string {
    return this.cy.png({ output: 'base64', full: true, scale: 2, bg: background, maxWidth: 8000, maxHeight: 8000 });
  }

  /** Tells Cytoscape that its container changed size, and fits the graph again unless the analyst moved the view. */
  resize(): void {
    this.cy.resize();
    if (!this.#viewportMoved && this.cy.nodes().length > 0) this.cy.fit(undefined, 30);
    this.#schedulePositions();
  }

  /** Returns the node list entries now, without waiting for the next frame. */
  nodeEntries(): NodeListEntry[] {
    const entries: NodeListEntry[] = [];
    this.cy.nodes().forEach((node) => {
      if (node.hasClass('replay-hidden')) return;
      const rendered = node.renderedPosition();
      entries.push({
        id: node.id(),
        value: node.data('value') as string,
        kind: node.data('kind') as EntityKind,
        verdict: node.data('verdict') as Verdict | '',
        pinned: this.#pinned.has(node.id()),
        x: Math.round(rendered.x * 10) / 10,
        y: Math.round(rendered.y * 10) / 10,
      });
    });
    return entries;
  }

  #listen(): void {
    const cy = this.cy;
    cy.on('tap', 'node', (event: EventObject) => this.callbacks.onSelect(event.target.data() as NodeData));
    cy.on('cxttap', 'node', (event: EventObject) => {
      const original = event.originalEvent as MouseEvent | undefined;
      const node = event.target as NodeSingular;
      const point = original ? { x: original.clientX, y: original.clientY } : this.clientPoint(node);
      node.select();
      this.callbacks.onContextMenu(node.data() as NodeData, point.x, point.y);
    });
    cy.on('dragfree', 'node', (event: EventObject) => this.pin((event.target as NodeSingular).id()));
    cy.on('dbltap', 'node', (event: EventObject) => this.unpin((event.target as NodeSingular).id()));
    cy.on('mouseover', 'node', (event: EventObject) => this.#hover(event.target as NodeSingular));
    cy.on('mouseout', 'node', () => {
      this.#cancelHover();
      this.#reapplyFocus();
    });
    cy.on('grab', 'node', () => {
      this.#grabbing = true;
      this.#cancelHover();
    });
    cy.on('free', 'node', () => {
      this.#grabbing = false;
    });
    cy.on('tap', (event: EventObject) => {
      if (event.target === cy) this.clearFocus();
    });
    cy.on('viewport layoutstop', () => this.#schedulePositions());
    cy.on('zoom layoutstop', () => this.#updateLabels());
    cy.on('dragpan scrollzoom pinchzoom', () => {
      this.#viewportMoved = true;
    });
    cy.on('position', 'node', () => this.#schedulePositions());
  }

  /** Returns the client (window) pixels of a node's centre, for a menu opened from the keyboard. */
  clientPoint(node: NodeSingular): { x: number; y: number } {
    const rendered = node.renderedPosition();
    const box = this.cy.container()?.getBoundingClientRect();
    return { x: (box?.left ?? 0) + rendered.x, y: (box?.top ?? 0) + rendered.y };
  }

  #runLayout(incremental: boolean): void {
    const pinned: PinnedNode[] = [...this.#pinned].filter(([nodeId]) => !this.cy.getElementById(nodeId).empty()).map(([nodeId, position]) => ({ nodeId, position }));
    const layout = this.cy.layout(layoutOptions(this.cy.nodes().length, pinned, incremental));
    if (!incremental) this.#viewportMoved = false;
    layout.one('layoutstop', () => {
      this.#rememberPositions();
      this.#schedulePositions();
    });
    layout.run();
  }

  #rememberPositions(): void {
    this.cy.nodes().forEach((node) => {
      this.#known.set(node.id(), { ...node.position() });
    });
  }

  /** Puts pinned and previously seen nodes where they were; returns how many were placed. */
  #placeKnownNodes(): number {
    let placed = 0;
    this.cy.batch(() => {
      this.cy.nodes().forEach((node) => {
        const pin = this.#pinned.get(node.id());
        const position = pin ?? this.#known.get(node.id());
        if (pin) node.addClass('pinned');
        if (position) {
          node.position({ ...position });
          placed += 1;
        }
      });
    });
    return placed;
  }

  /** Puts each node without a position beside a placed neighbour, or near the centre when it has none. */
  #placeNewNodesBesideNeighbours(): void {
    const centre = this.#centreOfKnown();
    this.cy.nodes().forEach((node) => {
      if (this.#known.has(node.id()) || this.#pinned.has(node.id())) return;
      const neighbour = node.neighborhood('node').filter((other) => this.#known.has(other.id()))[0];
      const base = neighbour ? this.#known.get(neighbour.id())! : centre;
      node.position({ x: base.x + (Math.random() - 0.5) * 60, y: base.y + (Math.random() - 0.5) * 60 });
    });
  }

  #centreOfKnown(): Position {
    let x = 0;
    let y = 0;
    for (const position of this.#known.values()) {
      x += position.x;
      y += position.y;
    }
    const count = Math.max(1, this.#known.size);
    return { x: x / count, y: y / count };
  }

  #applyReplay(): void {
    const graph = this.#graph;
    this.cy.batch(() => {
      if (graph === null || this.#playhead === null) {
        this.cy.elements('.replay-hidden').removeClass('replay-hidden');
        return;
      }
      const visible = replayVisibility(graph, this.#playhead);
      this.cy.nodes().forEach((node) => {
        node.toggleClass('replay-hidden', !visible.nodes.has(node.id()));
      });
      this.cy.edges().forEach((edge) => {
        edge.toggleClass('replay-hidden', !visible.edges.has(edge.id()));
      });
    });
  }

  #hover(node: NodeSingular): void {
    this.#cancelHover();
    if (this.#grabbing) return;
    this.#hoverTimer = setTimeout(() => {
      this.#hoverTimer = null;
      if (!this.#grabbing && !this.cy.destroyed()) this.#highlight(node);
    }, this.#largeStyle ? LARGE_HOVER_DELAY_MS : HOVER_DELAY_MS);
  }

  #cancelHover(): void {
    if (this.#hoverTimer !== null) clearTimeout(this.#hoverTimer);
    this.#hoverTimer = null;
  }

  /** Fades everything except `node` and its neighbours. */
  #highlight(node: NodeSingular): void {
    const neighbourhood = node.closedNeighborhood();
    this.cy.batch(() => {
      this.cy.elements().removeClass('highlighted').addClass('faded');
      neighbourhood.removeClass('faded').addClass('highlighted');
    });
  }

  #clearHighlight(): void {
    this.cy.batch(() => {
      this.cy.elements('.faded, .highlighted').removeClass('faded highlighted');
    });
  }

  /** Back to the search focus after a hover, or to no highlight when nothing shown is focused. */
  #reapplyFocus(): void {
    const focused = this.#focusedId === null ? null : this.cy.getElementById(this.#focusedId);
    if (focused && !focused.empty() && !focused.hasClass('replay-hidden')) this.#highlight(focused);
    else this.#clearHighlight();
  }

  #schedulePositions(): void {
    if (this.#positionsTimer !== null) return;
    this.#positionsTimer = setTimeout(() => {
      this.#positionsTimer = null;
      if (!this.cy.destroyed()) this.callbacks.onPositions(this.nodeEntries());
    }, POSITIONS_INTERVAL_MS);
  }
}
