import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CaseInfo, RecentCase } from '../../../preload/api.js';
import { api } from '../api.js';

/**
 * The open case: its summary from `cases.info`, the recent-cases list for the start screen,
 * and `dataVersion`, a counter every pane watches to refetch after the case's data changed
 * (an import or analysis finished, an IOC was tagged).
 */
export const useCaseStore = defineStore('case', () => {
  const info = ref<CaseInfo | null>(null);
  const recent = ref<RecentCase[]>([]);
  const dataVersion = ref(0);

  const isOpen = computed(() => info.value !== null);

  /** The first and last event times in microseconds, or null before any event is imported. */
  const span = computed(() => {
    const events = info.value?.events;
    if (!events || events.first === null || events.last === null) return null;
    return { from: events.first, to: events.last };
  });

  async function loadRecent(): Promise<void> {
    recent.value = (await api().cases.listRecent({})).cases;
  }

  async function create(folder: string, name: string, analyst?: string): Promise<void> {
    await api().cases.create({ folder, name, analyst });
    await refresh();
  }

  async function open(target: { folder: string } | { recent: string }): Promise<void> {
    info.value = await api().cases.open(target);
    dataVersion.value += 1;
  }

  async function close(): Promise<void> {
    await api().cases.close({});
    info.value = null;
    await loadRecent();
  }

  /**
   * Rereads the summary and bumps `dataVersion`, so every pane refetches. Evidence is rehashed
   * only with `verifyEvidence`; otherwise the last verification's statuses are shown.
   */
  async function refresh(verifyEvidence = false): Promise<void> {
    info.value = await api().cases.info({ verifyEvidence });
    dataVersion.value += 1;
  }

  /** Tells the panes to refetch without rereading the summary (for example after tagging). */
  function touch(): void {
    dataVersion.value += 1;
  }

  return { info, recent, dataVersion, isOpen, span, loadRecent, create, open, close, refresh, touch };
});
