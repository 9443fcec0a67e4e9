import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EntityKind, EventRow } from '../../../preload/api.js';
import type { TimeZoneMode } from '../format.js';

/** A time window in microseconds since the epoch, UTC, both ends inclusive. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** The analyst's selection: an entity from the graph or a table, or one event. */
export type Selection = { type: 'entity'; kind: EntityKind; value: string } | { type: 'event'; id: number } | null;

/** The filter of the events table. A pivot sets `entity` or `uid` and clears the rest. */
export interface EventFilter {
  log?: string;
  text?: string;
  uid?: string;
  entity?: { kind: EntityKind; value: string };
}

/**
 * State shared by every pane of the case view: the time window brushed on the timeline (null
 * means the whole case), the selection, the events filter, the playhead of the replay and
 * the time-zone display mode. Panes read it and call these actions; none keeps its own copy.
 */
export const useWorkspaceStore = defineStore('workspace', () => {
  const window = ref<TimeWindow | null>(null);
  const selection = ref<Selection>(null);
  const eventFilter = ref<EventFilter>({});
  const playhead = ref<number | null>(null);
  const timeMode = ref<TimeZoneMode>('utc');
  /** The row of the selected event when the events table selected it, so the detail view needs no lookup. */
  const selectedEvent = ref<EventRow | null>(null);

  function setWindow(next: TimeWindow | null): void {
    if (next !== null && next.to < next.from) next = { from: next.to, to: next.from };
    window.value = next;
  }

  function select(next: Selection): void {
    selection.value = next;
  }

  /** Selects one event and keeps its row for the detail view. */
  function selectEvent(row: EventRow): void {
    selection.value = { type: 'event', id: row.id };
    selectedEvent.value = row;
  }

  /** Shows the events of one value: an entity's events, or one connection's by uid. */
  function pivot(target: { kind: EntityKind; value: string } | { uid: string }): void {
    eventFilter.value = 'uid' in target ? { uid: target.uid } : { entity: { kind: target.kind, value: target.value } };
    if (!('uid' in target)) selection.value = { type: 'entity', kind: target.kind, value: target.value };
  }

  function setEventFilter(next: EventFilter): void {
    eventFilter.value = next;
  }

  function setPlayhead(micros: number | null): void {
    playhead.value = micros;
  }

  function toggleTimeMode(): void {
    timeMode.value = timeMode.value === 'utc' ? 'local' : 'utc';
  }

  /** Back to a fresh view, for a newly opened case. */
  function reset(): void {
    window.value = null;
    selection.value = null;
    selectedEvent.value = null;
    eventFilter.value = {};
    playhead.value = null;
  }

  return { window, selection, selectedEvent, eventFilter, playhead, timeMode, setWindow, select, selectEvent, pivot, setEventFilter, setPlayhead, toggleTimeMode, reset };
});
