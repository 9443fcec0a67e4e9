import type { ChosenFile, DialogPurpose } from '../../preload/api.js';
import { api } from './api.js';

/** Opens the native dialog for `purpose` and returns the chosen files; empty when the analyst cancels. */
export async function chooseFiles(purpose: DialogPurpose, defaultName?: string): Promise<ChosenFile[]> {
  return (await api().dialogs.choose({ purpose, defaultName })).files;
}
