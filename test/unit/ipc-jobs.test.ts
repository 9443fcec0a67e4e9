import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../preload/api.js';
import { NetcaseError } from '../../main/errors.js';
import { JobRunner, PROGRESS_INTERVAL_MS } from '../../main/ipc/jobs.js';

function runner(): { jobs: JobRunner; events: JobEvent[] } {
  const events: JobEvent[] = [];
  return { jobs: new JobRunner((event) => events.push(event)), events };
}

const endings = (events: JobEvent[]) => events.filter((event) => ['done', 'failed', 'cancelled'].includes(event.type));

describe('JobRunner', () => {
  it('done job sends one done event', async () => {
    const { jobs, events } = runner();
    const jobId = jobs.start('test', async (_signal, report) => {
      report.progress(0.5, 'half');
      report.warning('odd record');
      return { records: 3 };
    });
    await jobs.idle();
    expect(events.map((event) => event.type)).toEqual(['progress', 'warning', 'done']);
    expect(events.at(-1)).toEqual({ jobId, type: 'done', result: { records: 3 } });
  });

  it('failed job sends the error as data', async () => {
    const { jobs, events } = runner();
    jobs.start('test', async () => {
      throw new NetcaseError('ENGINE', 'tshark exited with status 2.');
    });
    await jobs.idle();
    expect(endings(events)).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'failed', error: { code: 'ENGINE', message: 'tshark exited with status 2.' } });
  });

  it('cancelled job sends one cancelled event', async () => {
    const { jobs, events } = runner();
    const jobId = jobs.start('test', (signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new NetcaseError('CANCELLED', 'stopped')))));
    expect(jobs.busy).toBe(true);
    expect(jobs.cancel(jobId)).toBe(true);
    await jobs.idle();
    expect(endings(events)).toEqual([{ jobId, type: 'cancelled' }]);
    expect(jobs.cancel(jobId)).toBe(false);
  });

  it('work that ignores the signal still ends cancelled', async () => {
    const { jobs, events } = runner();
    const jobId = jobs.start('test', async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return 'finished anyway';
    });
    jobs.cancel(jobId);
    await jobs.idle();
    expect(endings(events)).toEqual([{ jobId, type: 'cancelled' }]);
  });

  it('second job rejected while one runs', async () => {
    const { jobs } = runner();
    jobs.start('analysis', () => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(() => jobs.start('import', async () => 1)).toThrow(/analysis job is still running/);
    await jobs.idle();
    expect(() => jobs.start('import', async () => 1)).not.toThrow();
    await jobs.idle();
  });

  it('progress throttled', async () => {
    const { jobs, events } = runner();
    jobs.start('test', async (_signal, report) => {
      for (let index = 0; index < 1000; index++) report.progress(index / 1000, 'working');
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS + 20));
      report.progress(1, 'working');
    });
    await jobs.idle();
    expect(events.filter((event) => event.type === 'progress')).toHaveLength(2);
  });

  it('held progress sent before done', async () => {
    const { jobs, events } = runner();
    jobs.start('test', async (_signal, report) => {
      report.progress(0.1, 'first', { records: 1 });
      report.progress(0.5, 'middle', { records: 5 });
      report.progress(1, 'last', { bytes: { done: 10, total: 10 }, records: 10 });
    });
    await jobs.idle();
    const types = events.map((event) => event.type);
    expect(types).toEqual(['progress', 'progress', 'done']);
    expect(events[1]).toMatchObject({ type: 'progress', message: 'last', bytes: { done: 10, total: 10 }, records: 10 });
  });
});
