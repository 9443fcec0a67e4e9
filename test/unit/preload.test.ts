import { describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENT_CHANNELS, type JobEvent, type NetcaseApi } from '../../preload/api.js';

// Electron's preload modules, replaced by recorders: the test loads preload/index.ts and
// inspects what it exposes and sends.
const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const replies: { next: unknown } = { next: { ok: true, value: null } };
  const invoke = vi.fn(async (_channel: string, _input: unknown) => replies.next);
  return {
    exposed,
    listeners,
    replies,
    invoke,
    module: {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
      ipcRenderer: {
        invoke,
        on: (channel: string, listener: (...args: unknown[]) => void) => (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(listener),
        removeListener: (channel: string, listener: (...args: unknown[]) => void) => listeners.get(channel)?.delete(listener),
      },
      webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
    },
  };
});

vi.mock('electron', () => electron.module);
await import('../../preload/index.js');
const api = electron.exposed.get('netcase') as NetcaseApi;

describe('preload', () => {
  it('exposes exactly the contract methods', () => {
    const exposed = Object.entries(api).flatMap(([domain, methods]) => Object.keys(methods as object).map((verb) => `${domain}.${verb}`));
    expect(exposed.sort()).toEqual([...CHANNELS, 'jobs.onEvent', 'app.onCommand'].sort());
    expect(electron.exposed.size).toBe(1);
  });

  it('methods invoke their channel', async () => {
    electron.replies.next = { ok: true, value: { nodes: [] } };
    await expect(api.graph.get({ kinds: ['host'] })).resolves.toEqual({ nodes: [] });
    expect(electron.invoke).toHaveBeenLastCalledWith('graph.get', { kinds: ['host'] });
  });

  it('failure rejects with the error data', async () => {
    const error = { code: 'INVALID_ARGUMENT', message: 'Invalid argument for cases.info: Unrecognized key: "x".' };
    electron.replies.next = { ok: false, error };
    await expect(api.cases.info({})).rejects.toEqual(error);
  });

  it('dropped files sent as paths', async () => {
    electron.replies.next = { ok: true, value: { added: [], skipped: [] } };
    await api.evidence.addDropped({ files: [{ name: 'a.pcap' } as File] });
    expect(electron.invoke).toHaveBeenLastCalledWith('evidence.addDropped', { paths: ['/dropped/a.pcap'] });
  });

  it('job events subscribe and unsubscribe', () => {
    const received: JobEvent[] = [];
    const unsubscribe = api.jobs.onEvent((event) => received.push(event));
    const event: JobEvent = { jobId: 'j1', type: 'cancelled' };
    for (const listener of electron.listeners.get(EVENT_CHANNELS.job) ?? []) listener({}, event);
    expect(received).toEqual([event]);
    unsubscribe();
    expect(electron.listeners.get(EVENT_CHANNELS.job)?.size).toBe(0);
  });
});
