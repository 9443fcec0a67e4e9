import { ref, type Ref } from 'vue';

/** A brush being dragged, in pixels from the histogram's left edge. */
export interface BrushDraft {
  start: number;
  end: number;
}

/** A drag shorter than this many pixels is a click and selects nothing. */
const MIN_DRAG_PIXELS = 3;

/**
 * Handles the pointer for brushing a window on the histogram. The draft lives only in this
 * component and is redrawn on every pointer move. `commit` runs once, on release, with the
 * dragged range in pixels, so the drag itself never waits on the main process.
 */
export function useBrush(element: Ref<HTMLElement | null>, commit: (left: number, right: number) => void) {
  const draft = ref<BrushDraft | null>(null);
  let pointerId: number | null = null;
  let left = 0;
  let width = 0;

  function xOf(event: PointerEvent): number {
    return Math.min(width, Math.max(0, event.clientX - left));
  }

  function onPointerDown(event: PointerEvent): void {
    const target = element.value;
    if (event.button !== 0 || target === null) return;
    const box = target.getBoundingClientRect();
    left = box.left;
    width = box.width;
    pointerId = event.pointerId;
    target.setPointerCapture?.(event.pointerId);
    const x = xOf(event);
    draft.value = { start: x, end: x };
    event.preventDefault();
  }

  function onPointerMove(event: PointerEvent): void {
    if (draft.value === null || event.pointerId !== pointerId) return;
    draft.value = { start: draft.value.start, end: xOf(event) };
  }

  function onPointerUp(event: PointerEvent): void {
    if (draft.value === null || event.pointerId !== pointerId) return;
    const { start } = draft.value;
    const end = xOf(event);
    cancel();
    if (Math.abs(end - start) >= MIN_DRAG_PIXELS) commit(Math.min(start, end), Math.max(start, end));
  }

  function cancel(): void {
    if (pointerId !== null) element.value?.releasePointerCapture?.(pointerId);
    draft.value = null;
    pointerId = null;
  }

  return { draft, onPointerDown, onPointerMove, onPointerUp, cancel };
}
