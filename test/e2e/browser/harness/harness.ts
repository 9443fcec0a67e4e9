import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import type { AppCommand, DialogPurpose } from '../../../../preload/api.js';

export const REPO_DIR = resolve(import.meta.dirname, '../../../..');
export const RENDERER_DIR = join(REPO_DIR, 'out/renderer');
/** Screenshots of the browser specs, one folder per spec. */
export const SCREENSHOT_DIR = join(REPO_DIR, 'test-results/browser/screenshots');

const PROCESS_ENTRY = join(import.meta.dirname, 'process.ts');
const START_TIMEOUT_MS = 60_000;

/** A request from the Playwright side to the harness process, which replies `{ id, ok, error? }`. */
export type HarnessRequest =
  | { id: number; op: 'queueDialog'; purpose: DialogPurpose; paths: string[] }
  | { id: number; op: 'registerDrop'; name: string; path: string }
  | { id: number; op: 'command'; command: AppCommand }
  | { id: number; op: 'openCaptures'; paths: string[] }
  | { id: number; op: 'stop' };

type RequestBody = HarnessRequest extends infer R ? (R extends HarnessRequest ? Omit<R, 'id'> : never) : never;

/** A running harness: the renderer on 127.0.0.1, the real handler layer behind it and a private temp folder. */
export interface Harness {
  /** The page to open: `http://127.0.0.1:<port>/index.html`. */
  url: string;
  /** A temp folder removed at stop; specs put cases and copied inputs here. */
  root: string;
  /** Makes the next dialog of `purpose` return `paths`; an empty list is a cancelled dialog. */
  queueDialog(purpose: DialogPurpose, paths: string[]): Promise<void>;
  /** Makes a dropped file called `name` stand for `path`. */
  registerDrop(name: string, path: string): Promise<void>;
  /** Sends an app command, as the menu or the operating system would. */
  sendCommand(command: AppCommand): Promise<void>;
  /** Offers captures to the page as files the operating system opened the app with. */
  openCaptures(paths: string[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the harness in its own Node process, running the main code from its TypeScript
 * sources through tsx, and serving the renderer last built into out/renderer.
 */
export async function startHarness(): Promise<Harness> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`${RENDERER_DIR}/index.html is missing; run "npm run build" first.`);
  const root = mkdtempSync(join(tmpdir(), 'netcase-browser-'));
  const child = fork(PROCESS_ENTRY, [RENDERER_DIR, root], {
    cwd: REPO_DIR,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  const url = await waitForReady(child);
  let nextId = 1;
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  child.on('message', (message: { id?: number; ok?: boolean; error?: string }) => {
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve();
    else waiter?.reject(new Error(`Harness request failed: ${message.error}`));
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`The harness process exited with code ${code}.`));
    pending.clear();
  });

  const request = (body: RequestBody) =>
    new Promise<void>((resolveRequest, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolveRequest, reject });
      child.send({ ...body, id });
    });

  return {
    url,
    root,
    queueDialog: (purpose, paths) => request({ op: 'queueDialog', purpose, paths }),
    registerDrop: (name, path) => request({ op: 'registerDrop', name, path }),
    sendCommand: (command) => request({ op: 'command', command }),
    openCaptures: (paths) => request({ op: 'openCaptures', paths }),
    stop: async () => {
      if (child.exitCode === null && child.connected) {
        const exited = new Promise((done) => child.once('exit', done));
        await request({ op: 'stop' }).catch(() => undefined);
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function waitForReady(child: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`The harness process did not report ready within ${START_TIMEOUT_MS} ms.`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The harness process exited with code ${code} before it was ready; its stderr is above.`));
    });
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type !== 'ready' || message.url === undefined) return;
      clearTimeout(timer);
      resolveUrl(message.url);
    });
  });
}

/**
 * Drops files called `names` on `target`, as a file manager would. The `File` objects hold no
 * real bytes: the harness maps each name to the path given to `registerDrop`.
 */
export async function dropFiles(page: Page, target: Locator, names: string[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((fileNames) => {
    const transfer = new DataTransfer();
    for (const name of fileNames) transfer.items.add(new File(['dropped in a test'], name));
    return transfer;
  }, names);
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

/** Saves a full-page screenshot as `<SCREENSHOT_DIR>/<folder>/<name>.png` and returns its path. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const path = join(SCREENSHOT_DIR, folder, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Playwright `test` with a `harness` fixture: a fresh harness for every test, stopped after it. */
export const test = base.extend<{ harness: Harness }>({
  // Playwright requires the fixture's first parameter to be an object pattern.
  // eslint-disable-next-line no-empty-pattern
  harness: async ({}, use) => {
    const harness = await startHarness();
    try {
      await use(harness);
    } finally {
      await harness.stop();
    }
  },
});

export { expect };
