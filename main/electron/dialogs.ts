import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { dialog, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import type { DialogPurpose } from '../../preload/api.js';
import type { Dialogs } from '../ipc/handlers.js';

type DialogSpec = { kind: 'open'; options: OpenDialogOptions } | { kind: 'save'; options: SaveDialogOptions; defaultName: string };

const CAPTURE_FILTERS = [
  { name: 'Captures and Zeek logs', extensions: ['pcap', 'pcapng', 'cap', 'gz', 'log', 'json'] },
  { name: 'All files', extensions: ['*'] },
];

const SPECS: Record<DialogPurpose, DialogSpec> = {
  'open-case-folder': { kind: 'open', options: { title: 'Open case folder', properties: ['openDirectory'] } },
  'new-case-folder': { kind: 'open', options: { title: 'Choose an empty folder for the new case', buttonLabel: 'Create case here', properties: ['openDirectory', 'createDirectory', 'promptToCreate'] } },
  'add-captures': { kind: 'open', options: { title: 'Add captures or Zeek logs', properties: ['openFile', 'openDirectory', 'multiSelections'], filters: CAPTURE_FILTERS } },
  'import-logs': { kind: 'open', options: { title: 'Import Zeek logs', properties: ['openFile', 'openDirectory', 'multiSelections'] } },
  'save-report': { kind: 'save', defaultName: 'report.pdf', options: { title: 'Export report', filters: [{ name: 'PDF', extensions: ['pdf'] }] } },
  'save-markdown': { kind: 'save', defaultName: 'report.md', options: { title: 'Export report as Markdown', filters: [{ name: 'Markdown', extensions: ['md'] }] } },
  'open-report': { kind: 'open', options: { title: 'Verify a report', properties: ['openFile'], filters: [{ name: 'PDF', extensions: ['pdf'] }] } },
  'choose-certificate': { kind: 'open', options: { title: 'Choose signing certificate', properties: ['openFile'], filters: [{ name: 'PKCS#12', extensions: ['p12', 'pfx'] }] } },
  'save-certificate': { kind: 'save', defaultName: 'analyst.p12', options: { title: 'Save new certificate', filters: [{ name: 'PKCS#12', extensions: ['p12'] }] } },
  'open-watchlist': { kind: 'open', options: { title: 'Import watchlist', properties: ['openFile'], filters: [{ name: 'CSV or STIX', extensions: ['csv', 'json'] }] } },
  'save-ioc-export': { kind: 'save', defaultName: 'iocs.csv', options: { title: 'Export IOCs' } },
  'save-image': { kind: 'save', defaultName: 'graph.png', options: { title: 'Export graph image', filters: [{ name: 'PNG image', extensions: ['png'] }] } },
  'save-case-archive': { kind: 'save', defaultName: 'case.netcase', options: { title: 'Export case', filters: [{ name: 'Netcase archive', extensions: ['netcase'] }] } },
  'open-case-archive': { kind: 'open', options: { title: 'Import case', properties: ['openFile'], filters: [{ name: 'Netcase archive', extensions: ['netcase'] }] } },
};

/** Native dialogs attached to the app window; each chosen path is registered by the handler layer. */
export function createDialogs(window: () => BrowserWindow | null): Dialogs {
  return {
    async choose(purpose, { defaultName, caseDir }) {
      const spec = SPECS[purpose];
      const parent = window();
      if (spec.kind === 'open') {
        const options = { ...spec.options, defaultPath: caseDir };
        const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
        return result.canceled ? [] : result.filePaths;
      }
      const options = { ...spec.options, defaultPath: defaultSavePath(purpose, caseDir, defaultName ?? spec.defaultName) };
      const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? [] : [result.filePath];
    },
  };
}

/**
 * Suggests where a save dialog starts. Reports and exports start inside the case. A case
 * archive starts beside the case folder, because an archive inside it would be packed into
 * the next export.
 */
function defaultSavePath(purpose: DialogPurpose, caseDir: string | undefined, name: string): string {
  if (!caseDir) return join(homedir(), name);
  if (purpose === 'save-case-archive') return join(dirname(caseDir), name);
  return join(caseDir, purpose === 'save-report' || purpose === 'save-markdown' ? 'reports' : 'exports', name);
}
