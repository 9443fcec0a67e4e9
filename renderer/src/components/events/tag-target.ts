import type { EntityKind } from '../../../../preload/api.js';
import { useTagMenuStore } from '../../stores/tag-menu.js';
import type { PivotKind } from './event-values.js';

/**
 * Opens the shared tag menu on a value: at the pointer for a right click, or under the focused
 * element for the context-menu key and Shift+F10. A uid is not an indicator, so it opens nothing.
 */
export function openTagMenu(event: MouseEvent | KeyboardEvent, value: string, kind?: PivotKind): void {
  if (kind === 'uid') return;
  let x: number;
  let y: number;
  if (event instanceof MouseEvent && event.type === 'contextmenu' && (event.clientX !== 0 || event.clientY !== 0)) {
    x = event.clientX;
    y = event.clientY;
  } else {
    const box = (event.currentTarget as HTMLElement | null)?.getBoundingClientRect();
    x = box ? box.left : 0;
    y = box ? box.bottom : 0;
  }
  event.preventDefault();
  event.stopPropagation();
  useTagMenuStore().openFor({ value, kind: kind as EntityKind | undefined, x, y });
}

/** Returns whether a key press opens a context menu: the context-menu key or Shift+F10. */
export function isMenuKey(event: KeyboardEvent): boolean {
  return event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey);
}
