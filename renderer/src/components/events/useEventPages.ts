import { onUnmounted, ref, watch } from 'vue';
import type { EventRow, Input } from '../../../../preload/api.js';
import { api, errorMessage } from '../../api.js';

export type EventQuery = Omit<Input<'events.search'>, 'limit' | 'offset'>;

/** Rows fetched per `events.search` call. */
export const PAGE_SIZE = 200;
/** Pages kept in memory; those farthest from the rows in view are dropped first. */
const MAX_CACHED_PAGES = 40;
/**
 * Delay before fetching the rows in view. Dragging the scrollbar across a million rows passes
 * thousands of pages, so only the pages still in view when the scrolling pauses are fetched.
 */
const FETCH_DELAY_MS = 40;
/** Requests on their way at once. When one returns, the pages in view by then are fetched next. */
const MAX_IN_FLIGHT = 2;

/**
 * Provides the events table's rows, fetched a page at a time from `events.search` as the analyst
 * scrolls. `total` comes with every page and sets the scroll height. A new query drops
 * every page, and replies to an older query are ignored when they arrive. `onRows` receives
 * each page as it arrives.
 */
export function useEventPages(query: () => EventQuery, onRows: (rows: EventRow[]) => void = () => {}) {
  const total = ref<number | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);
  /** Bumped whenever a page arrives, so rows read through `rowAt` re-render. */
  const version = ref(0);
  let pages = new Map<number, EventRow[]>();
  let inFlight = new Set<number>();
  /** Pages whose request failed. They are not asked for again until the query changes, so an error cannot loop. */
  let failed = new Set<number>();
  let generation = 0;
  let lastRange = { first: 0, last: 0 };
  let timer: ReturnType<typeof setTimeout> | null = null;

  function rowAt(index: number): EventRow | undefined {
    void version.value;
    return pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Fetches, after a short pause, the pages holding rows `first` to `last` that are neither cached nor on their way. */
  function ensure(first: number, last: number): void {
    lastRange = { first, last };
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      loadRange();
    }, FETCH_DELAY_MS);
  }

  function loadRange(): void {
    const { first, last } = lastRange;
    const upper = total.value === null ? first : Math.min(last, total.value - 1);
    for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(upper / PAGE_SIZE) && inFlight.size < MAX_IN_FLIGHT; page++) {
      if (!pages.has(page) && !inFlight.has(page) && !failed.has(page)) void load(page);
    }
  }

  async function load(page: number): Promise<void> {
    const request = generation;
    inFlight.add(page);
    loading.value = true;
    try {
      const result = await api().events.search({ ...query(), limit: PAGE_SIZE, offset: page * PAGE_SIZE });
      if (request !== generation) return;
      pages.set(page, result.events);
      total.value = result.total;
      error.value = null;
      onRows(result.events);
      evict();
      version.value += 1;
    } catch (caught) {
      if (request === generation) {
        failed.add(page);
        error.value = `The events could not be loaded: ${errorMessage(caught)}`;
      }
    } finally {
      if (request === generation) {
        inFlight.delete(page);
        loading.value = inFlight.size > 0;
        loadRange();
      }
    }
  }

  function evict(): void {
    if (pages.size <= MAX_CACHED_PAGES) return;
    const centre = (lastRange.first + lastRange.last) / 2 / PAGE_SIZE;
    const byDistance = [...pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of byDistance.slice(0, pages.size - MAX_CACHED_PAGES)) pages.delete(page);
  }

  /** Drops every page and starts again from the first one, for a new query or changed data. */
  function restart(): void {
    generation += 1;
    pages = new Map();
    inFlight = new Set();
    failed = new Set();
    total.value = null;
    version.value += 1;
    void load(0);
  }

  watch(() => JSON.stringify(query()), restart, { immediate: true });
  onUnmounted(() => {
    generation += 1;
    if (timer !== null) clearTimeout(timer);
  });

  return { total, error, loading, version, rowAt, ensure, restart };
}
