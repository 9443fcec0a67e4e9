import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiError, Input, JobBytes, JobEvent } from '../../../preload/api.js';
import { api } from '../api.js';

export interface JobState {
  id: string;
  /** Description of the job for the progress bar, such as "Analysing captures". */
  label: string;
  ratio: number | null;
  message: string;
  /** Bytes of the current file read so far, when the job reports them. */
  bytes?: JobBytes;
  /** Records stored so far, when the job reports them. */
  records?: number;
  warnings: string[];
  state: 'running' | 'done' | 'failed' | 'cancelled';
  error?: ApiError;
  /** Return value of a done job, as main sent it: the import or analysis summary. */
  result?: unknown;
}

/**
 * Long jobs (analysis, log import) and their progress. Main streams progress on one
 * subscription; `start` resolves when the job ends, whatever way it ends.
 */
export const useJobsStore = defineStore('jobs', () => {
  const jobs = ref<JobState[]>([]);
  const waiters = new Map<string, (job: JobState) => void>();
  /**
   * Events of jobs not yet in `jobs`. A job that ends at once can send its ending event before
   * the reply to `jobs.start` arrives, so `run` replays these once it has the id.
   */
  const early = new Map<string, JobEvent[]>();
  let unsubscribe: (() => void) | null = null;

  function listen(): void {
    if (unsubscribe !== null) return;
    unsubscribe = api().jobs.onEvent(apply);
  }

  function apply(event: JobEvent): void {
    const job = jobs.value.find((candidate) => candidate.id === event.jobId);
    if (!job) {
      early.set(event.jobId, [...(early.get(event.jobId) ?? []), event]);
      return;
    }
    if (event.type === 'progress') {
      job.ratio = event.ratio;
      job.message = event.message;
      if (event.bytes !== undefined) job.bytes = event.bytes;
      if (event.records !== undefined) job.records = event.records;
    } else if (event.type === 'warning') {
      job.warnings.push(event.message);
    } else {
      job.state = event.type;
      if (event.type === 'failed') job.error = event.error;
      if (event.type === 'done') job.result = event.result;
      waiters.get(job.id)?.(job);
      waiters.delete(job.id);
    }
  }

  /** Starts a job and resolves with its final state. */
  async function run(label: string, input: Input<'jobs.start'>): Promise<JobState> {
    listen();
    const { jobId } = await api().jobs.start(input);
    const job: JobState = { id: jobId, label, ratio: null, message: 'Starting…', warnings: [], state: 'running' };
    jobs.value.push(job);
    const tracked = jobs.value[jobs.value.length - 1]!;
    const ended = new Promise<JobState>((resolve) => waiters.set(jobId, () => resolve(tracked)));
    for (const event of early.get(jobId) ?? []) apply(event);
    early.delete(jobId);
    return ended;
  }

  async function cancel(id: string): Promise<void> {
    await api().jobs.cancel({ jobId: id });
  }

  function dismiss(id: string): void {
    jobs.value = jobs.value.filter((job) => job.id !== id || job.state === 'running');
  }

  return { jobs, listen, run, cancel, dismiss };
});
