import type { StylesheetJson } from 'cytoscape';
import type { NodeClass } from './elements.js';

/** The theme colours the graph draws with, read from the CSS variables of theme.css. */
export interface GraphTheme {
  background: string;
  foreground: string;
  muted: string;
  border: string;
  accent: string;
  nodes: Record<NodeClass, string>;
  verdicts: { malicious: string; suspicious: string; benign: string; unknown: string };
}

const VARIABLES = {
  background: '--bg-pane',
  foreground: '--fg',
  muted: '--fg-muted',
  border: '--border',
  accent: '--accent',
} as const;

const NODE_VARIABLES: Record<NodeClass, string> = {
  internal: '--node-internal',
  external: '--node-external',
  domain: '--node-domain',
  email: '--node-email',
  other: '--node-other',
};

/** Node shapes, so the types differ by more than colour. */
export const NODE_SHAPES: Record<NodeClass, string> = {
  internal: 'ellipse',
  external: 'diamond',
  domain: 'round-rectangle',
  email: 'hexagon',
  other: 'round-triangle',
};

/**
 * Reads the theme's colours from the computed style of `element`, normally the root element where
 * theme.css sets them for the light or dark theme. A variable that is missing reads as grey.
 */
export function readTheme(element: Element): GraphTheme {
  const style = getComputedStyle(element);
  const read = (name: string) => style.getPropertyValue(name).trim() || '#808080';

  const nodes = {} as Record<NodeClass, string>;
  for (const [nodeClass, variable] of Object.entries(NODE_VARIABLES) as [NodeClass, string][]) nodes[nodeClass] = read(variable);

  return {
    background: read(VARIABLES.background),
    foreground: read(VARIABLES.foreground),
    muted: read(VARIABLES.muted),
    border: read(VARIABLES.border),
    accent: read(VARIABLES.accent),
    nodes,
    verdicts: {
      malicious: read('--verdict-malicious'),
      suspicious: read('--verdict-suspicious'),
      benign: read('--verdict-benign'),
      unknown: read('--verdict-unknown'),
    },
  };
}

/**
 * Builds the Cytoscape stylesheet: fill colour and shape by node type, a thick ring in the verdict
 * colour, edge width from the element's data, and the classes the pane toggles (faded, pinned,
 * hidden by the replay). Labels are plain text; Cytoscape never parses them as HTML. A `large`
 * graph labels only selected and highlighted nodes until the view adds `labelled` on zooming in.
 */
export function buildStylesheet(theme: GraphTheme, large: boolean): StylesheetJson {
  const byClass = (Object.keys(NODE_SHAPES) as NodeClass[]).map((nodeClass) => ({
    selector: `node[nodeClass = "${nodeClass}"]`,
    style: { 'background-color': theme.nodes[nodeClass], shape: NODE_SHAPES[nodeClass] as 'ellipse' },
  }));
  const byVerdict = (Object.keys(theme.verdicts) as (keyof GraphTheme['verdicts'])[]).map((verdict) => ({
    selector: `node[verdict = "${verdict}"]`,
    style: { 'border-width': 5, 'border-color': theme.verdicts[verdict] },
  }));

  return [
    {
      selector: 'node',
      style: {
        width: 22,
        height: 22,
        // A large graph gets labels only once zoomed in far enough to read them (the
        // `labelled` class below), because measuring thousands of labels slows layout and drawing.
        label: large ? '' : 'data(label)',
        color: theme.foreground,
        'font-size': 10,
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-background-color': theme.background,
        'text-background-opacity': 0.7,
        'text-background-padding': '1px',
        'border-width': 1,
        'border-color': theme.background,
      },
    },
    ...byClass,
    ...byVerdict,
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'line-color': theme.border,
        'curve-style': 'haystack',
        opacity: 0.8,
      },
    },
    { selector: 'node.labelled, node:selected, node.highlighted', style: { label: 'data(label)' } },
    { selector: 'node:selected', style: { 'outline-width': 3, 'outline-color': theme.accent, 'outline-offset': 2 } },
    { selector: 'edge:selected', style: { 'line-color': theme.accent } },
    { selector: '.highlighted', style: { 'z-index': 10 } },
    { selector: 'node.highlighted', style: { 'font-weight': 'bold' } },
    { selector: 'edge.highlighted', style: { 'line-color': theme.muted, opacity: 1 } },
    { selector: '.faded', style: { opacity: 0.12 } },
    { selector: 'node.faded', style: { 'text-opacity': 0 } },
    // A pinned node has a dashed outer ring, and stays where the drag that pinned it left it.
    { selector: 'node.pinned', style: { 'outline-width': 2, 'outline-style': 'dashed', 'outline-color': theme.foreground, 'outline-offset': 3 } },
    { selector: 'node.pinned:selected', style: { 'outline-color': theme.accent, 'outline-width': 3 } },
    { selector: '.replay-hidden', style: { display: 'none' } },
  ];
}
