import { contextBridge, ipcRenderer } from 'electron';
import type { NetcaseApi } from './api.js';

const api: NetcaseApi = {
  version: () => ipcRenderer.invoke('app.version') as Promise<{ version: string }>,
};

contextBridge.exposeInMainWorld('netcase', api);
