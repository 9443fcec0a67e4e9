import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiError, Channel, ChosenFile, DialogPurpose, Input, IpcReply, JobEvent, Result } from '../../preload/api.js';
import { createIpcHandlers, type IpcHandlers } from '../../main/ipc/ipc-handlers.js';
import type { Dialogs, IpcSession } from '../../main/ipc/handlers.js';
import { RecentCases } from '../../main/ipc/recent-cases.js';
import { createServices } from '../../main/services.js';

/** A dialog stand-in: the test sets the paths the next dialog of each purpose returns. */
export class FakeDialogs implements Dialogs {
  readonly next = new Map<DialogPurpose, string[]>();

  async choose(purpose: DialogPurpose): Promise<string[]> {
    const paths = this.next.get(purpose) ?? [];
    this.next.delete(purpose);
    return paths;
  }
}

/** An `openPath` stand-in: records each path and resolves to `reply` ('' means the file opened). */
export class FakeOpener {
  readonly paths: string[] = [];
  reply = '';

  async open(path: string): Promise<string> {
    this.paths.push(path);
    return this.reply;
  }
}

/** The handler layer wired to real services, fake dialogs and a recent-cases file in `root`. */
export class IpcHarness {
  readonly dialogs = new FakeDialogs();
  readonly opener = new FakeOpener();
  readonly jobEvents: JobEvent[] = [];
  readonly handlers: IpcHandlers;
  readonly session: IpcSession;
  readonly recentFile: string;

  constructor(readonly root: string = mkdtempSync(join(tmpdir(), 'netcase-ipc-'))) {
    this.recentFile = join(root, 'recent-cases.json');
    const created = createIpcHandlers({
      services: createServices('test'),
      dialogs: this.dialogs,
      recent: new RecentCases(this.recentFile),
      emitJobEvent: (event) => this.jobEvents.push(event),
      version: '0.1.0-test',
      openPath: (path) => this.opener.open(path),
    });
    this.handlers = created.handlers;
    this.session = created.session;
  }

  /** Sends raw input, as a renderer could, and returns the reply. */
  send(channel: Channel, input: unknown): Promise<IpcReply<unknown>> {
    return this.handlers[channel](input);
  }

  /** Calls a method with valid input and returns its value, failing with the error otherwise. */
  async call<C extends Channel>(channel: C, input: Input<C>): Promise<Result<C>> {
    const reply = await this.send(channel, input);
    if (!reply.ok) throw new Error(`${channel} failed: ${reply.error.code} ${reply.error.message}`);
    return reply.value as Result<C>;
  }

  /** Calls a method that must fail and returns its error. */
  async fail(channel: Channel, input: unknown): Promise<ApiError> {
    const reply = await this.send(channel, input);
    if (reply.ok) throw new Error(`${channel} succeeded with ${JSON.stringify(input)}, expected an error`);
    return reply.error;
  }

  /** Picks `paths` in the next dialog of `purpose` and returns their tokens. */
  async choose(purpose: DialogPurpose, paths: string[]): Promise<ChosenFile[]> {
    this.dialogs.next.set(purpose, paths);
    return (await this.call('dialogs.choose', { purpose })).files;
  }

  async token(purpose: DialogPurpose, path: string): Promise<string> {
    return (await this.choose(purpose, [path]))[0]!.token;
  }

  /** Waits for the job's one ending event and returns it. */
  async jobEnd(jobId: string, timeoutMs = 120_000): Promise<JobEvent> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const end = this.jobEvents.find((event) => event.jobId === jobId && ['done', 'failed', 'cancelled'].includes(event.type));
      if (end) return end;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Job ${jobId} did not end within ${timeoutMs} ms`);
  }
}

/**
 * Describes everything a call could change: files under `folders` with their sizes (SQLite's
 * -wal and -shm files left out), the row counts of the case's tables, the recent-cases file,
 * the open case and the number of job events sent.
 */
export function snapshotState(harness: IpcHarness, caseDir: string, folders: string[]): string {
  const files = folders.flatMap((folder) => listFiles(folder).map((file) => `${relative(folder, file)} ${statSync(file).size}`));
  const db = new Database(join(caseDir, 'case.sqlite'), { readonly: true, fileMustExist: true });
  const counts = ['audit', 'evidence', 'iocs', 'imports', 'events', 'engine_runs', 'watchlists', 'report_drafts'].map((table) => `${table}=${(db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n}`);
  db.close();
  let recent = '';
  try {
    recent = readFileSync(harness.recentFile, 'utf8');
  } catch {
    recent = '(none)';
  }
  return JSON.stringify({ files: files.sort(), counts, recent, caseDir: harness.session.caseDir, jobEvents: harness.jobEvents.length });
}

function listFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !/-(wal|shm)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}
