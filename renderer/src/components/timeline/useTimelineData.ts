import { onUnmounted, ref, watch, type Ref } from 'vue';
import type { Timeline } from '../../../../preload/api.js';
import { api, errorMessage } from '../../api.js';
import { useCaseStore } from '../../stores/case.js';
import { bucketCountFor, type Span } from './timeline-scale.js';

/** Delay before refetching after the view or the width changed, so resizing a pane sends one request. */
const REFETCH_DELAY_MS = 80;

/**
 * Fetches the histogram of the displayed span from `timeline.get`, about one bucket per two
 * pixels of `width`, again whenever the span, the width or the case's data changes. A reply
 * that arrives after a newer request was sent is dropped.
 */
export function useTimelineData(span: Ref<Span | null>, width: Ref<number>) {
  const caseStore = useCaseStore();
  const timeline = ref<Timeline | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function fetchNow(): Promise<void> {
    const current = span.value;
    const request = ++sequence;
    if (current === null || width.value <= 0) {
      timeline.value = null;
      return;
    }
    loading.value = true;
    try {
      const result = await api().timeline.get({ from: current.from, to: current.to, buckets: bucketCountFor(width.value) });
      if (request !== sequence) return;
      timeline.value = result;
      error.value = null;
    } catch (caught) {
      if (request === sequence) error.value = `The timeline could not be loaded: ${errorMessage(caught)}`;
    } finally {
      if (request === sequence) loading.value = false;
    }
  }

  function schedule(): void {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void fetchNow();
    }, REFETCH_DELAY_MS);
  }

  watch([() => span.value?.from, () => span.value?.to, () => bucketCountFor(width.value), () => caseStore.dataVersion], schedule, { immediate: true });
  onUnmounted(() => {
    if (timer !== null) clearTimeout(timer);
  });

  return { timeline, error, loading, refetch: fetchNow };
}
