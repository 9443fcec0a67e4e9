import type { Ref } from 'vue';
import type { Graph } from '../../../preload/api.js';
import { api } from '../api.js';
import { useLatestFetch } from '../latest-fetch.js';
import { useCaseStore } from '../stores/case.js';
import { useWorkspaceStore } from '../stores/workspace.js';

/** Wait after the last change of window or threshold before fetching, so a brush drag fetches once. */
export const FETCH_DELAY_MS = 150;

/**
 * Fetches the graph of the workspace's time window with `graph.get`, and again whenever the
 * window, the minimum count or the case's data changes. Only the newest reply is kept.
 */
export function useGraphData(options: { minCount: Ref<number>; maxEdges: number }) {
  const caseStore = useCaseStore();
  const workspace = useWorkspaceStore();

  const fetchGraph = (): Promise<Graph> => {
    const window = workspace.window;
    const minCount = Math.max(1, Math.floor(options.minCount.value) || 1);
    return api().graph.get({ from: window?.from, to: window?.to, minCount, maxEdges: options.maxEdges });
  };
  const { data, loading, error, reload } = useLatestFetch(fetchGraph, [() => workspace.window, () => caseStore.dataVersion, options.minCount], FETCH_DELAY_MS);

  return { graph: data, loading, error, reload };
}
