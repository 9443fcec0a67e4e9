import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { RecentCase } from '../../preload/api.js';
import { log } from '../log.js';

const logger = log.scope('recent-cases');

/** Number of cases kept in the list. */
export const MAX_RECENT_CASES = 10;

const recentFileSchema = z.array(z.object({ dir: z.string(), name: z.string(), openedAt: z.string() }));

/**
 * The cases opened most recently, newest first, kept in a JSON file (the app's user-data
 * folder in Electron). An unreadable file is logged and treated as an empty list.
 */
export class RecentCases {
  constructor(private readonly file: string) {}

  list(): RecentCase[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ err: error, file: this.file }, 'failed to read the recent cases');
      return [];
    }
    try {
      return recentFileSchema.parse(JSON.parse(text));
    } catch (error) {
      logger.warn({ err: error, file: this.file }, 'ignoring an invalid recent cases file');
      return [];
    }
  }

  includes(dir: string): boolean {
    const absolute = resolve(dir);
    return this.list().some((entry) => entry.dir === absolute);
  }

  add(dir: string, name: string, now = new Date()): void {
    const absolute = resolve(dir);
    const entries = [{ dir: absolute, name, openedAt: now.toISOString() }, ...this.list().filter((entry) => entry.dir !== absolute)];
    this.write(entries.slice(0, MAX_RECENT_CASES));
  }

  private write(entries: RecentCase[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.partial`;
    writeFileSync(temporary, JSON.stringify(entries, null, 2));
    renameSync(temporary, this.file);
  }
}
