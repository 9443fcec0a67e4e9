import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CHANNELS, EVENT_CHANNELS, type ApiError, type AppCommand, type IpcReply, type JobEvent, type NetcaseApi } from './api.js';

/**
 * Exposes the contract as `window.netcase`. Each method is one `ipcRenderer.invoke` on its
 * channel, and `ipcRenderer` itself is not exposed. A failed call rejects with the plain
 * `{ code, message, details }` that main sent.
 */
function buildApi(): NetcaseApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of CHANNELS) {
    const [domain, verb] = channel.split('.') as [string, string];
    (api[domain] ??= {})[verb] = (input: unknown) => invoke(channel, input);
  }

  api.evidence!.addDropped = (input: { files: File[] }) => invoke('evidence.addDropped', { paths: input.files.map((file) => webUtils.getPathForFile(file)) });
  api.jobs!.onEvent = (listener: (event: JobEvent) => void) => subscribe(EVENT_CHANNELS.job, listener);
  api.app!.onCommand = (listener: (command: AppCommand) => void) => subscribe(EVENT_CHANNELS.command, listener);
  return api as unknown as NetcaseApi;
}

async function invoke(channel: string, input: unknown): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(channel, input)) as IpcReply<unknown>;
  if (reply.ok) return reply.value;
  const error: ApiError = reply.error;
  throw error;
}

function subscribe<T>(channel: string, listener: (payload: T) => void): () => void {
  const forward = (_event: unknown, payload: T) => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => ipcRenderer.removeListener(channel, forward);
}

contextBridge.exposeInMainWorld('netcase', buildApi());
