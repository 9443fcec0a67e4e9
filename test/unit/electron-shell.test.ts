import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, type AppCommand } from '../../preload/api.js';
import type { IpcHandlers } from '../../main/ipc/ipc-handlers.js';
import { tempDir } from '../helpers/temp.js';

type Listener = (...args: unknown[]) => unknown;

// A stand-in for the parts of Electron the shell modules use, recording what they register.
const electron = vi.hoisted(() => {
  const appListeners = new Map<string, (...args: unknown[]) => unknown>();
  const ipcHandlers = new Map<string, (...args: unknown[]) => unknown>();
  const recorded: { permissionRequest?: Listener; permissionCheck?: Listener; beforeRequest?: Listener; menuTemplate?: unknown[] } = {};
  return {
    appListeners,
    ipcHandlers,
    recorded,
    module: {
      app: { on: (name: string, listener: (...args: unknown[]) => unknown) => appListeners.set(name, listener) },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (handler: Listener) => (recorded.permissionRequest = handler),
          setPermissionCheckHandler: (handler: Listener) => (recorded.permissionCheck = handler),
          webRequest: { onBeforeRequest: (handler: Listener) => (recorded.beforeRequest = handler) },
        },
      },
      ipcMain: {
        removeHandler: (channel: string) => ipcHandlers.delete(channel),
        handle: (channel: string, handler: (...args: unknown[]) => unknown) => ipcHandlers.set(channel, handler),
      },
      Menu: {
        buildFromTemplate: (template: unknown[]) => (recorded.menuTemplate = template),
        setApplicationMenu: () => undefined,
      },
    },
  };
});

vi.mock('electron', () => electron.module);

const { hardenSessions } = await import('../../main/electron/security.js');
const { registerIpc } = await import('../../main/electron/ipc.js');
const { installMenu } = await import('../../main/electron/menu.js');
const { capturesInArguments } = await import('../../main/electron/launch-files.js');

/** A WebContents stand-in that records its listeners and window-open handler. */
function fakeContents(url = 'netcase://app/index.html') {
  const listeners = new Map<string, Listener>();
  let openHandler: Listener | undefined;
  return {
    listeners,
    open: (details: { url: string }) => openHandler?.(details),
    getURL: () => url,
    on: (name: string, listener: Listener) => listeners.set(name, listener),
    setWindowOpenHandler: (handler: Listener) => (openHandler = handler),
  };
}

describe('session hardening', () => {
  beforeEach(() => hardenSessions());

  it('permission requests denied', () => {
    const callback = vi.fn();
    electron.recorded.permissionRequest?.({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(electron.recorded.permissionCheck?.({}, 'clipboard-read')).toBe(false);
  });

  it('requests off the app scheme cancelled', () => {
    const decide = (url: string) => {
      const callback = vi.fn();
      electron.recorded.beforeRequest?.({ url }, callback);
      return callback.mock.calls[0]?.[0];
    };
    expect(decide('netcase://app/assets/index.js')).toEqual({ cancel: false });
    expect(decide('https://example.com/')).toEqual({ cancel: true });
    expect(decide('http://127.0.0.1:8080/')).toEqual({ cancel: true });
    expect(decide('file:///etc/passwd')).toEqual({ cancel: true });
  });

  it('window.open, navigation and webviews blocked', () => {
    const contents = fakeContents();
    electron.appListeners.get('web-contents-created')?.({}, contents);
    expect(contents.open({ url: 'https://example.com/' })).toEqual({ action: 'deny' });

    for (const [name, url] of [['will-navigate', 'https://example.com/'], ['will-navigate', 'netcase://app/other.html'], ['will-redirect', 'https://example.com/']] as const) {
      const event = { preventDefault: vi.fn() };
      contents.listeners.get(name)?.(event, url);
      expect(event.preventDefault, `${name} ${url}`).toHaveBeenCalled();
    }
    const webview = { preventDefault: vi.fn() };
    contents.listeners.get('will-attach-webview')?.(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });
});

describe('IPC registration', () => {
  it('registers every channel and rejects foreign frames', async () => {
    const handler = vi.fn(async () => ({ ok: true as const, value: 'handled' }));
    const handlers = Object.fromEntries(CHANNELS.map((channel) => [channel, handler])) as unknown as IpcHandlers;
    registerIpc(handlers);
    expect([...electron.ipcHandlers.keys()].sort()).toEqual([...CHANNELS].sort());

    const invoke = electron.ipcHandlers.get('cases.info')!;
    const foreign = (await invoke({ senderFrame: { url: 'https://example.com/' } }, {})) as { ok: boolean; error: { code: string } };
    expect(foreign.ok).toBe(false);
    expect(foreign.error.code).toBe('INVALID_ARGUMENT');
    expect(handler).not.toHaveBeenCalled();

    expect(await invoke({ senderFrame: { url: 'netcase://app/index.html' } }, {})).toEqual({ ok: true, value: 'handled' });
    expect(handler).toHaveBeenCalledWith({});
  });
});

describe('application menu', () => {
  interface Item {
    label?: string;
    role?: string;
    accelerator?: string;
    click?: () => void;
    submenu?: Item[];
  }
  const items = (): Item[] => (electron.recorded.menuTemplate as Item[]).flatMap((menu) => [menu, ...(menu.submenu ?? [])]);

  it('has the shortcuts', () => {
    installMenu(() => undefined, false);
    const accelerators = Object.fromEntries(items().filter((item) => item.accelerator).map((item) => [item.label, item.accelerator]));
    expect(accelerators).toEqual({
      'New Case…': 'CmdOrCtrl+N',
      'Open Case…': 'CmdOrCtrl+O',
      'Import Case…': 'CmdOrCtrl+Shift+O',
      'Export Case…': 'CmdOrCtrl+Shift+E',
      'Add Capture…': 'CmdOrCtrl+Shift+A',
      'Export Report…': 'CmdOrCtrl+E',
      'Find…': 'CmdOrCtrl+F',
    });
    const roles = items().map((item) => item.role);
    expect(roles).toEqual(expect.arrayContaining(['zoomIn', 'zoomOut', 'resetZoom']));
  });

  it('menu items send app commands', () => {
    const sent: AppCommand[] = [];
    installMenu((command) => sent.push(command), false);
    for (const item of items()) if (item.click) item.click();
    expect(sent.map((command) => command.command)).toEqual(['new-case', 'open-case', 'import-case', 'export-case', 'add-captures', 'export-report', 'find']);
  });
});

describe('capturesInArguments', () => {
  it('keeps existing captures only', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'folder.pcap'));
    for (const name of ['a.pcap', 'b.PCAPNG', 'notes.txt']) writeFileSync(join(dir, name), 'x');
    const argv = ['/opt/Netcase/netcase', '--no-sandbox', 'a.pcap', join(dir, 'b.PCAPNG'), 'notes.txt', 'missing.pcap', 'folder.pcap'];
    expect(capturesInArguments(argv, dir)).toEqual([join(dir, 'a.pcap'), join(dir, 'b.PCAPNG')]);
  });
});
