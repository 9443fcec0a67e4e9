import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ChosenFile, IntakeResult } from '../../../preload/api.js';
import { api, errorMessage } from '../api.js';
import { chooseFiles } from '../dialogs.js';
import { useCaseStore } from './case.js';
import { useJobsStore } from './jobs.js';

/** A file that was not added or analysed, and why. */
export interface FileProblem {
  file: string;
  reason: string;
}

/**
 * Adding evidence to the open case: captures by dialog, by drop or opened from the operating
 * system, then the analysis job; Zeek logs by dialog, then the import job. Problems with single
 * files and failed calls are kept here for the import bar, which outlives the start screen.
 */
export const useImportStore = defineStore('imports', () => {
  const problems = ref<FileProblem[]>([]);
  /** The last failed call, as `errorMessage` shows it; null after a successful step. */
  const error = ref<string | null>(null);
  const busy = ref(false);

  async function addCapturesByDialog(): Promise<void> {
    await step(async () => {
      const files = await chooseFiles('add-captures');
      if (files.length > 0) await addAndAnalyse(() => api().evidence.add({ files: files.map((file) => file.token) }));
    });
  }

  /** Adds captures the main process already granted (files opened from the operating system). */
  async function addChosen(files: ChosenFile[]): Promise<void> {
    if (files.length === 0) return;
    await step(() => addAndAnalyse(() => api().evidence.add({ files: files.map((file) => file.token) })));
  }

  async function addDropped(files: File[]): Promise<void> {
    if (files.length === 0) return;
    await step(() => addAndAnalyse(() => api().evidence.addDropped({ files })));
  }

  async function importLogsByDialog(): Promise<void> {
    await step(async () => {
      const files = await chooseFiles('import-logs');
      if (files.length === 0) return;
      const job = await useJobsStore().run('Importing Zeek logs', { kind: 'import-logs', files: files.map((file) => file.token) });
      await useCaseStore().refresh();
      if (job.state === 'failed') error.value = job.error?.message ?? 'The import failed without a reason.';
    });
  }

  /** Runs the analysis job over every capture not yet analysed. */
  async function analyse(): Promise<void> {
    await step(async () => {
      const job = await useJobsStore().run('Analysing captures', { kind: 'analyze' });
      await useCaseStore().refresh();
      if (job.state === 'failed') error.value = job.error?.message ?? 'The analysis failed without a reason.';
    });
  }

  function dismissProblems(): void {
    problems.value = [];
    error.value = null;
  }

  async function addAndAnalyse(add: () => Promise<IntakeResult>): Promise<void> {
    const result = await add();
    problems.value.push(...result.skipped.map((skipped) => ({ file: fileName(skipped.path), reason: skipped.reason })));
    // TODO: import dropped Zeek logs too. The contract imports logs only by dialog token, so a
    // dropped log is kept as evidence and the message asks the analyst to use the dialog.
    for (const item of result.added.filter((added) => added.kind === 'zeek-log')) {
      problems.value.push({ file: fileName(item.original_path), reason: 'kept as evidence but not imported; use Import Zeek logs… to import it' });
    }
    await useCaseStore().refresh();
    if (result.added.some((item) => item.kind === 'capture')) {
      const job = await useJobsStore().run('Analysing captures', { kind: 'analyze' });
      await useCaseStore().refresh();
      if (job.state === 'failed') error.value = job.error?.message ?? 'The analysis failed without a reason.';
    }
  }

  /** Runs one user action: clears the last error, marks the store busy and keeps any failure for display. */
  async function step(action: () => Promise<void>): Promise<void> {
    error.value = null;
    busy.value = true;
    try {
      await action();
    } catch (failure) {
      error.value = errorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return { problems, error, busy, addCapturesByDialog, addChosen, addDropped, importLogsByDialog, analyse, dismissProblems };
});

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
