declare module 'cytoscape-fcose' {
  import type { Ext } from 'cytoscape';

  /** The fCoSE layout extension; register it once with `cytoscape.use`. */
  const fcose: Ext;
  export default fcose;
}
