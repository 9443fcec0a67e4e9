import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EntityKind, IocType } from '../../../preload/api.js';

/** The value a tag menu acts on, and where on screen (client pixels) it opens. */
export interface TagTarget {
  value: string;
  kind?: EntityKind;
  type?: IocType;
  x: number;
  y: number;
}

/**
 * The one tag menu of the case view, mounted once. The graph, the events table and the detail
 * panel open it on a value with a right click or the context-menu key.
 */
export const useTagMenuStore = defineStore('tag-menu', () => {
  const target = ref<TagTarget | null>(null);

  function openFor(next: TagTarget): void {
    target.value = next;
  }

  function close(): void {
    target.value = null;
  }

  return { target, openFor, close };
});
