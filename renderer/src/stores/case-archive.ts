import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CaseArchiveExport, CaseArchiveImport } from '../../../preload/api.js';
import { api, errorMessage } from '../api.js';
import { useCaseStore } from './case.js';
import { useWorkspaceStore } from './workspace.js';

export type ArchiveOutcome = { kind: 'export'; result: CaseArchiveExport } | { kind: 'import'; result: CaseArchiveImport };

/**
 * Exporting the open case as one portable archive and importing an archive as a new case, for
 * the case header, the start screen and the File menu alike. `error` keeps the whole message,
 * which for a damaged archive lists the bad members.
 */
export const useCaseArchiveStore = defineStore('case-archive', () => {
  const exportDialogOpen = ref(false);
  const busy = ref<'export' | 'import' | null>(null);
  const outcome = ref<ArchiveOutcome | null>(null);
  const error = ref<string | null>(null);

  function requestExport(): void {
    dismiss();
    if (!useCaseStore().isOpen) {
      error.value = 'No case is open, so there is nothing to export. Open or create a case first.';
      return;
    }
    exportDialogOpen.value = true;
  }

  function closeExportDialog(): void {
    exportDialogOpen.value = false;
  }

  function dismiss(): void {
    outcome.value = null;
    error.value = null;
  }

  async function exportCase(withoutEvidence: boolean): Promise<void> {
    const name = useCaseStore().info?.case.name ?? 'case';
    dismiss();
    try {
      const [file] = (await api().dialogs.choose({ purpose: 'save-case-archive', defaultName: `${fileNameOf(name)}.netcase` })).files;
      if (!file) return;
      exportDialogOpen.value = false;
      busy.value = 'export';
      outcome.value = { kind: 'export', result: await api().cases.exportArchive({ out: file.token, withoutEvidence }) };
    } catch (caught) {
      error.value = errorMessage(caught);
    } finally {
      busy.value = null;
    }
  }

  /** Asks for an archive and an empty folder, imports the case there and opens it. */
  async function importCase(): Promise<void> {
    dismiss();
    try {
      const [archive] = (await api().dialogs.choose({ purpose: 'open-case-archive' })).files;
      if (!archive) return;
      const [folder] = (await api().dialogs.choose({ purpose: 'new-case-folder' })).files;
      if (!folder) return;
      busy.value = 'import';
      const result = await api().cases.importArchive({ file: archive.token, to: folder.token });
      useWorkspaceStore().reset();
      await useCaseStore().open({ recent: result.dir });
      outcome.value = { kind: 'import', result };
    } catch (caught) {
      error.value = errorMessage(caught);
    } finally {
      busy.value = null;
    }
  }

  return { exportDialogOpen, busy, outcome, error, requestExport, closeExportDialog, dismiss, exportCase, importCase };
});

/** Turns a case name into a file name: path separators and control characters become dashes. */
function fileNameOf(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').trim();
  return cleaned === '' ? 'case' : cleaned.slice(0, 100);
}
