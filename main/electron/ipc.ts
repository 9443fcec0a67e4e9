import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS } from '../../preload/api.js';
import { NetcaseError } from '../errors.js';
import type { IpcHandlers } from '../ipc/ipc-handlers.js';
import { log } from '../log.js';
import { isAppUrl } from './window-options.js';

const logger = log.scope('ipc');

/**
 * Registers one `ipcMain.handle` per contract channel. Calls from any frame that is not the
 * app's own page are rejected before the handler runs.
 */
export function registerIpc(handlers: IpcHandlers): void {
  for (const channel of CHANNELS) {
    ipcMain.removeHandler(channel);
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, input: unknown) => {
      const url = event.senderFrame?.url ?? '';
      if (!isAppUrl(url)) {
        logger.warn({ channel, url }, 'IPC call from a foreign frame rejected');
        return { ok: false, error: new NetcaseError('INVALID_ARGUMENT', `${channel} may only be called by the Netcase window.`).toData() };
      }
      return handlers[channel](input);
    });
  }
}
