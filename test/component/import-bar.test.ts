// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { AppCommand, JobEvent } from '../../preload/api.js';
import ImportBar from '../../renderer/src/components/import/ImportBar.vue';
import { useImportStore } from '../../renderer/src/stores/imports.js';
import { useJobsStore } from '../../renderer/src/stores/jobs.js';

/** Installs a fake `window.netcase` and returns functions that send its job events and app commands. */
function installApi(): { sendJob: (event: JobEvent) => void; sendCommand: (command: AppCommand) => void; cancel: ReturnType<typeof vi.fn>; choose: ReturnType<typeof vi.fn> } {
  const jobListeners: ((event: JobEvent) => void)[] = [];
  const commandListeners: ((command: AppCommand) => void)[] = [];
  const cancel = vi.fn(async () => ({ cancelled: true }));
  const choose = vi.fn(async () => ({ files: [] }));
  (window as unknown as { netcase: unknown }).netcase = {
    jobs: {
      start: async () => ({ jobId: 'job-1' }),
      cancel,
      onEvent: (listener: (event: JobEvent) => void) => {
        jobListeners.push(listener);
        return () => undefined;
      },
    },
    app: {
      onCommand: (listener: (command: AppCommand) => void) => {
        commandListeners.push(listener);
        return () => undefined;
      },
    },
    dialogs: { choose },
  };
  return {
    sendJob: (event) => jobListeners.forEach((listener) => listener(event)),
    sendCommand: (command) => commandListeners.forEach((listener) => listener(command)),
    cancel,
    choose,
  };
}

beforeEach(() => {
  setActivePinia(createPinia());
});

describe('ImportBar', () => {
  it('shows bytes and records while running', async () => {
    const fake = installApi();
    const wrapper = mount(ImportBar);
    void useJobsStore().run('Analysing captures', { kind: 'analyze' });
    await flushPromises();
    fake.sendJob({ jobId: 'job-1', type: 'progress', ratio: 0.5, message: 'Importing the logs of capture.pcap', bytes: { done: 1536, total: 3072 }, records: 1234 });
    await flushPromises();

    const progress = wrapper.get('[data-testid="job-progress"]');
    expect(progress.attributes('data-state')).toBe('running');
    expect(wrapper.get('[data-testid="job-counts"]').text()).toBe('1.5 KiB of 3.0 KiB · 1\u202f234 records from this file');
    expect(progress.get('progress').attributes('value')).toBe('50');

    await wrapper.get('[data-testid="job-cancel"]').trigger('click');
    expect(fake.cancel).toHaveBeenCalledWith({ jobId: 'job-1' });
    fake.sendJob({ jobId: 'job-1', type: 'cancelled' });
    await flushPromises();
    expect(progress.attributes('data-state')).toBe('cancelled');
    expect(wrapper.find('[data-testid="job-cancel"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="job-counts"]').exists()).toBe(false);
  });

  it('lists failed files with the reason', async () => {
    installApi();
    const wrapper = mount(ImportBar);
    const imports = useImportStore();
    imports.problems.push({ file: 'broken.pcap', reason: 'tshark exited with code 2' });
    imports.error = 'Cannot add /tmp/notes.pcap: not a capture.';
    await flushPromises();

    const error = wrapper.get('[data-testid="job-error"]');
    expect(error.text()).toContain('broken.pcap: tshark exited with code 2');
    expect(error.text()).toContain('Cannot add /tmp/notes.pcap: not a capture.');
    await error.get('button').trigger('click');
    expect(wrapper.find('[data-testid="job-error"]').exists()).toBe(false);
  });

  it('menu command opens the capture dialog', async () => {
    const fake = installApi();
    mount(ImportBar);
    await flushPromises();
    fake.sendCommand({ command: 'add-captures' });
    await flushPromises();
    expect(fake.choose).toHaveBeenCalledWith({ purpose: 'add-captures', defaultName: undefined });
  });
});
