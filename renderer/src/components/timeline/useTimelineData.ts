import type { Ref } from 'vue';
import type { Timeline } from '../../../../preload/api.js';
import { api } from '../../api.js';
import { useLatestFetch } from '../../latest-fetch.js';
import { useCaseStore } from '../../stores/case.js';
import { bucketCountFor, type Span } from './timeline-scale.js';

/** Delay before refetching after the view or the width changed, so resizing a pane sends one request. */
const REFETCH_DELAY_MS = 80;

/**
 * Fetches the histogram of the displayed span from `timeline.get`, about one bucket per two
 * pixels of `width`, again whenever the span, the width or the case's data changes. Only the
 * newest reply is kept.
 */
export function useTimelineData(span: Ref<Span | null>, width: Ref<number>) {
  const caseStore = useCaseStore();

  const fetchTimeline = (): Promise<Timeline> | null => {
    const current = span.value;
    if (current === null || width.value <= 0) return null;
    return api().timeline.get({ from: current.from, to: current.to, buckets: bucketCountFor(width.value) });
  };
  const { data, loading, error, reload } = useLatestFetch(
    fetchTimeline,
    [() => span.value?.from, () => span.value?.to, () => bucketCountFor(width.value), () => caseStore.dataVersion],
    REFETCH_DELAY_MS,
    (message) => `The timeline could not be loaded: ${message}`,
  );

  return { timeline: data, error, loading, refetch: reload };
}
