import { randomUUID } from 'node:crypto';
import type { JobBytes, JobEvent } from '../../preload/api.js';
import { NetcaseError, isNetcaseError, toErrorData } from '../errors.js';
import { log } from '../log.js';

const logger = log.scope('jobs');

/** Minimum time between two progress events of one job, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 250;

/** Reports of a running job besides its result. */
export interface JobReporter {
  /** `counts` carries the bytes read of the current file and the records stored so far, where the job measures them. */
  progress(ratio: number | null, message: string, counts?: { bytes?: JobBytes; records?: number }): void;
  warning(message: string): void;
}

export type JobWork = (signal: AbortSignal, report: JobReporter) => Promise<unknown>;

interface RunningJob {
  kind: string;
  controller: AbortController;
}

/**
 * Runs long jobs (analysis, log import) one at a time. `start` returns the job id at once.
 * The job then sends throttled progress and warnings through `emit`, and ends with exactly
 * one done, failed or cancelled event. The work itself runs in worker threads or child
 * processes, so the main process's event loop stays free.
 */
export class JobRunner {
  readonly #running = new Map<string, RunningJob>();

  constructor(private readonly emit: (event: JobEvent) => void) {}

  get busy(): boolean {
    return this.#running.size > 0;
  }

  start(kind: string, work: JobWork): string {
    const current = [...this.#running.values()][0];
    if (current) {
      throw new NetcaseError('CASE_LOCKED', `A ${current.kind} job is still running. Wait for it to end or cancel it first.`);
    }
    const jobId = randomUUID();
    const controller = new AbortController();
    this.#running.set(jobId, { kind, controller });
    logger.info({ jobId, kind }, 'job started');
    void this.run(jobId, work, controller.signal);
    return jobId;
  }

  cancel(jobId: string): boolean {
    const job = this.#running.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  cancelAll(): void {
    for (const job of this.#running.values()) job.controller.abort();
  }

  /** Resolves when no job is running. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private async run(jobId: string, work: JobWork, signal: AbortSignal): Promise<void> {
    let lastProgress = 0;
    // The newest progress held back by the throttle. A job that ends done sends it first, so
    // the last counts shown are the final ones.
    let held: JobEvent | null = null;
    const reporter: JobReporter = {
      progress: (ratio, message, counts) => {
        const event: JobEvent = { jobId, type: 'progress', ratio, message, ...counts };
        const now = Date.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS) {
          held = event;
          return;
        }
        lastProgress = now;
        held = null;
        this.send(event);
      },
      warning: (message) => this.send({ jobId, type: 'warning', message }),
    };

    let ending: JobEvent;
    try {
      const result = await work(signal, reporter);
      ending = signal.aborted ? { jobId, type: 'cancelled' } : { jobId, type: 'done', result };
    } catch (error) {
      if (signal.aborted || (isNetcaseError(error) && error.code === 'CANCELLED')) {
        ending = { jobId, type: 'cancelled' };
      } else {
        logger.error({ jobId, err: error }, 'job failed');
        ending = { jobId, type: 'failed', error: toErrorData(error) };
      }
    }
    this.#running.delete(jobId);
    logger.info({ jobId, type: ending.type }, 'job ended');
    if (held !== null && ending.type === 'done') this.send(held);
    this.send(ending);
  }

  private send(event: JobEvent): void {
    try {
      this.emit(event);
    } catch (error) {
      logger.warn({ jobId: event.jobId, err: error }, 'failed to send a job event');
    }
  }
}
