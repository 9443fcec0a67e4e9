import { shell } from 'electron';

/** Opens a file with the operating system's handler and resolves to '' or to the reason it failed. */
export function openPath(path: string): Promise<string> {
  return shell.openPath(path);
}
