import { onBeforeUnmount, ref, shallowRef, watch, type Ref, type ShallowRef, type WatchSource } from 'vue';
import { errorMessage } from './api.js';

export interface LatestFetch<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  /** Fetches at once, without the delay. */
  reload(): Promise<void>;
}

/**
 * Keeps `data` the reply of the newest request. `query` runs `delayMs` after the last change
 * of any of `sources`, so a drag or a resize sends one request. A reply that arrives after a
 * newer request started is dropped, so a slow reply never overwrites a newer one. `query`
 * returns null when there is nothing to fetch (no case span yet), which clears `data`.
 */
export function useLatestFetch<T>(query: () => Promise<T> | null, sources: WatchSource[], delayMs: number, describeError: (message: string) => string = (message) => message): LatestFetch<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function reload(): Promise<void> {
    const request = ++sequence;
    try {
      const pending = query();
      if (pending === null) {
        data.value = null;
        return;
      }
      loading.value = true;
      const result = await pending;
      if (request !== sequence) return;
      data.value = result;
      error.value = null;
    } catch (caught) {
      if (request === sequence) error.value = describeError(errorMessage(caught));
    } finally {
      if (request === sequence) loading.value = false;
    }
  }

  function schedule(): void {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void reload();
    }, delayMs);
  }

  watch(sources, schedule, { immediate: true });
  onBeforeUnmount(() => {
    if (timer !== null) clearTimeout(timer);
    sequence += 1;
  });

  return { data, loading, error, reload };
}
