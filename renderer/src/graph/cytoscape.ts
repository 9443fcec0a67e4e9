import cytoscape, { type Core, type CytoscapeOptions } from 'cytoscape';
import fcose from 'cytoscape-fcose';

let registered = false;

/**
 * Creates a Cytoscape instance with the fCoSE layout registered. The graph view creates its
 * instance only here, so component tests can swap in a headless one.
 */
export function createCytoscape(options: CytoscapeOptions): Core {
  if (!registered) {
    cytoscape.use(fcose);
    registered = true;
  }
  return cytoscape(options);
}
