import { app, BrowserWindow } from 'electron';
import { fileURLToPath } from 'node:url';

/**
 * Electron entry. The window is locked down (context isolation, sandbox, no Node in the
 * renderer) and talks to the core only through the preload's API.
 */
async function start(): Promise<void> {
  await app.whenReady();
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    webPreferences: {
      preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  await window.loadFile(fileURLToPath(new URL('../renderer/index.html', import.meta.url)));
}

app.on('window-all-closed', () => app.quit());
void start();
