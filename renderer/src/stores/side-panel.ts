import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { IocType } from '../../../preload/api.js';

export type SideTab = 'detail' | 'findings' | 'iocs' | 'report' | 'evidence';

/** An IOC open in the editor; an empty value starts a new IOC. */
export interface IocEditTarget {
  value: string;
  type?: IocType;
}

/**
 * The side panel's open tab and the IOC in its editor, so the tag menu and the detail view can
 * send the analyst to the editor of a value.
 */
export const useSidePanelStore = defineStore('side-panel', () => {
  const tab = ref<SideTab>('detail');
  const editing = ref<IocEditTarget | null>(null);

  function show(next: SideTab): void {
    tab.value = next;
  }

  function editIoc(target: IocEditTarget): void {
    editing.value = target;
    tab.value = 'iocs';
  }

  function closeEditor(): void {
    editing.value = null;
  }

  return { tab, editing, show, editIoc, closeEditor };
});
