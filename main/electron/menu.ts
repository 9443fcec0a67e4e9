import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../../preload/api.js';

type MenuCommand = Exclude<AppCommand['command'], 'captures-opened'>;

/**
 * Installs the application menu. Case actions go to the renderer as app commands, so the
 * renderer runs them through the same contract methods as its buttons.
 */
export function installMenu(send: (command: AppCommand) => void, isMac = process.platform === 'darwin'): void {
  const item = (label: string, accelerator: string, command: MenuCommand): MenuItemConstructorOptions => ({ label, accelerator, click: () => send({ command }) });

  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        item('New Case…', 'CmdOrCtrl+N', 'new-case'),
        item('Open Case…', 'CmdOrCtrl+O', 'open-case'),
        item('Import Case…', 'CmdOrCtrl+Shift+O', 'import-case'),
        item('Export Case…', 'CmdOrCtrl+Shift+E', 'export-case'),
        { type: 'separator' },
        item('Add Capture…', 'CmdOrCtrl+Shift+A', 'add-captures'),
        item('Export Report…', 'CmdOrCtrl+E', 'export-report'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }, { type: 'separator' }, item('Find…', 'CmdOrCtrl+F', 'find')],
    },
    {
      label: '&View',
      submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
