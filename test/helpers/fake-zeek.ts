import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_DIR } from './cli.js';
import { sharedPath } from './shared.js';

/** The Zeek test double (not Zeek): see the header of the script for what it does. */
export const FAKE_ZEEK = resolve(REPO_DIR, 'test/fixtures/fake-zeek/fake-zeek.mjs');

/** Real Zeek JSON logs from Zeek's documentation that the double writes: conn, dns, http, ssl, smtp. */
export const FAKE_ZEEK_LOG_NAMES = ['conn', 'dns', 'http', 'ssl', 'smtp'];

export interface FakeZeekRecord {
  pid: number;
  args: string[];
  cwd: string;
  stdinBytes: number;
  stdinMagic: string;
  env: { ZEEKPATH: string | null; ZEEK_PLUGIN_PATH: string | null; ZEEK_DNS_FAKE: string | null };
  childPid: number | null;
}

/** Copies the chosen documentation logs into `dir` for FAKE_ZEEK_LOGS. */
export function prepareFakeZeekLogs(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const name of FAKE_ZEEK_LOG_NAMES) {
    copyFileSync(sharedPath('corpus/zeek-logs/zeek-docs-json-examples', `${name}.ndjson`), join(dir, `${name}.ndjson`));
  }
  return dir;
}

/** Number of lines (records) in one documentation log. */
export function fakeZeekRecordCount(name: string): number {
  return readFileSync(sharedPath('corpus/zeek-logs/zeek-docs-json-examples', `${name}.ndjson`), 'utf8').trim().split('\n').length;
}

export function readFakeZeekRecord(path: string): FakeZeekRecord {
  return JSON.parse(readFileSync(path, 'utf8')) as FakeZeekRecord;
}

/** Waits until `path` exists, polling every 50 ms. */
export async function waitForFile(path: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the process is gone, polling; returns false if it is still running at the deadline. */
export async function waitForExit(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
