import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import type { Graph } from '../../../preload/api.js';
import { api, errorMessage } from '../api.js';
import { useCaseStore } from '../stores/case.js';
import { useWorkspaceStore } from '../stores/workspace.js';

/** Wait after the last change of window or threshold before fetching, so a brush drag fetches once. */
export const FETCH_DELAY_MS = 150;

/**
 * Fetches the graph of the workspace's time window with `graph.get`, and again whenever the
 * window, the minimum count or the case's data changes. A reply that arrives after a newer request
 * started is dropped, so a slow fetch never overwrites a newer graph.
 */
export function useGraphData(options: { minCount: Ref<number>; maxEdges: number }) {
  const caseStore = useCaseStore();
  const workspace = useWorkspaceStore();
  const graph = shallowRef<Graph | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function load(): Promise<void> {
    sequence += 1;
    const request = sequence;
    loading.value = true;
    try {
      const window = workspace.window;
      const minCount = Math.max(1, Math.floor(options.minCount.value) || 1);
      const result = await api().graph.get({ from: window?.from, to: window?.to, minCount, maxEdges: options.maxEdges });
      if (request !== sequence) return;
      graph.value = result;
      error.value = null;
    } catch (caught) {
      if (request === sequence) error.value = errorMessage(caught);
    } finally {
      if (request === sequence) loading.value = false;
    }
  }

  function schedule(): void {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void load();
    }, FETCH_DELAY_MS);
  }

  watch([() => workspace.window, () => caseStore.dataVersion, options.minCount], schedule, { immediate: true });
  onBeforeUnmount(() => {
    if (timer !== null) clearTimeout(timer);
    sequence += 1;
  });

  return { graph, loading, error, reload: load };
}
