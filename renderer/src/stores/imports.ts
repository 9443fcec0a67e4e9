import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ChosenFile, Input, IntakeResult } from '../../../preload/api.js';
import { api, errorMessage } from '../api.js';
import { chooseFiles } from '../dialogs.js';
import { useCaseStore } from './case.js';
import { useJobsStore, type JobState } from './jobs.js';

/** The parts of main's import and analysis summaries that name failed files. */
interface JobSummary {
  files?: { path: string; status: string; message?: string }[];
  runs?: { capture: string; status: string; error: string | null }[];
}

/** A file that was not added or analysed, and why. */
export interface FileProblem {
  file: string;
  reason: string;
}

/**
 * Adding evidence to the open case. Captures come by dialog, by drop or from the operating
 * system, and the analysis job follows. Zeek logs come by dialog or drop, and an import job
 * follows. Problems with single
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
      await runJob('Importing Zeek logs', { kind: 'import-logs', files: files.map((file) => file.token) });
    });
  }

  /** Runs the analysis job over every capture not yet analysed. */
  async function analyse(): Promise<void> {
    await step(async () => {
      await runJob('Analysing captures', { kind: 'analyze' });
    });
  }

  function dismissProblems(): void {
    problems.value = [];
    error.value = null;
  }

  async function addAndAnalyse(add: () => Promise<IntakeResult>): Promise<void> {
    const result = await add();
    problems.value.push(...result.skipped.map((skipped) => ({ file: fileName(skipped.path), reason: skipped.reason })));
    await useCaseStore().refresh();

    // Zeek logs among the added files are imported from their copies in the case.
    const logs = result.added.filter((item) => item.kind === 'zeek-log').map((item) => item.id);
    if (logs.length > 0) {
      const job = await runJob('Importing Zeek logs', { kind: 'import-evidence', evidence: logs });
      if (job.state !== 'done') return;
    }

    if (result.added.some((item) => item.kind === 'capture')) await runJob('Analysing captures', { kind: 'analyze' });
  }

  /** Runs a job, rereads the case, and keeps the job's error or the files it could not import or analyse. */
  async function runJob(label: string, input: Input<'jobs.start'>): Promise<JobState> {
    const job = await useJobsStore().run(label, input);
    await useCaseStore().refresh();
    if (job.state === 'failed') error.value = job.error?.message ?? `${label} failed without a reason.`;
    if (job.state === 'done') problems.value.push(...failedFiles(job.result as JobSummary | undefined));
    return job;
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

function failedFiles(summary: JobSummary | undefined): FileProblem[] {
  const refused = (summary?.files ?? []).filter((file) => file.status === 'refused').map((file) => ({ file: fileName(file.path), reason: file.message ?? 'not imported' }));
  const failedRuns = (summary?.runs ?? []).filter((run) => run.status === 'failed').map((run) => ({ file: fileName(run.capture), reason: run.error ?? 'the analysis failed' }));
  return [...refused, ...failedRuns];
}
