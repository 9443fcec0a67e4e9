import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { EVENT_CHANNELS, type AppCommand, type JobEvent } from '../../preload/api.js';
import { createServices } from '../services.js';
import { grantOpenedFiles, type IpcSession } from '../ipc/handlers.js';
import { createIpcHandlers } from '../ipc/ipc-handlers.js';
import { RecentCases } from '../ipc/recent-cases.js';
import { log } from '../log.js';
import { createDialogs } from './dialogs.js';
import { registerIpc } from './ipc.js';
import { capturesInArguments } from './launch-files.js';
import { installMenu } from './menu.js';
import { openPath } from './open-path.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { hardenSessions } from './security.js';
import { APP_ENTRY_URL, windowOptions } from './window-options.js';

const logger = log.scope('app');

let mainWindow: BrowserWindow | null = null;
let session: IpcSession | null = null;
/** Captures opened from the operating system before the window could receive them. */
const pendingCaptures: string[] = [];

// 1. One instance only: a second launch hands its file arguments to the first and quits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // 2. Before ready: the app scheme, and files opened from Finder (macOS sends open-file early).
  registerAppScheme();
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openCaptures([path]);
  });
  app.on('second-instance', (_event, argv, workingDirectory) => {
    focusWindow();
    openCaptures(capturesInArguments(argv, workingDirectory));
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => session?.jobs.cancelAll());
  void start();
}

async function start(): Promise<void> {
  await app.whenReady();

  // 3. Security: sessions, permissions, navigation; then the renderer's own scheme.
  hardenSessions();
  serveRenderer(fileURLToPath(new URL('../renderer', import.meta.url)));

  // 4. Services and the IPC handlers generated from the contract.
  const created = createIpcHandlers({
    services: createServices('netcase-app'),
    dialogs: createDialogs(() => mainWindow),
    recent: new RecentCases(join(app.getPath('userData'), 'recent-cases.json')),
    emitJobEvent: (event: JobEvent) => mainWindow?.webContents.send(EVENT_CHANNELS.job, event),
    version: app.getVersion(),
    openPath,
  });
  session = created.session;
  registerIpc(created.handlers);

  // 5. Menu, window, and captures named on the command line.
  installMenu(sendCommand);
  await createWindow();
  openCaptures(capturesInArguments(process.argv, process.cwd()));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
}

async function createWindow(): Promise<void> {
  const preload = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
  mainWindow = new BrowserWindow(windowOptions(preload));
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  await mainWindow.loadURL(APP_ENTRY_URL);
  flushPendingCaptures();
}

function sendCommand(command: AppCommand): void {
  mainWindow?.webContents.send(EVENT_CHANNELS.command, command);
}

/** Grants opened captures to the window's session and offers them to the renderer to add. */
function openCaptures(paths: string[]): void {
  pendingCaptures.push(...paths);
  flushPendingCaptures();
}

function flushPendingCaptures(): void {
  if (!session || !mainWindow || mainWindow.webContents.isLoading() || pendingCaptures.length === 0) return;
  const files = grantOpenedFiles(session, pendingCaptures.splice(0));
  logger.info({ files: files.map((file) => file.path) }, 'captures opened from the operating system');
  sendCommand({ command: 'captures-opened', files });
}

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}
