import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runNetcase } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { expectCliSound, fingerprintFolder, suiteDir } from './case-health.js';

const CONN_LOG = [
  '#separator \\x09',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum',
  ...Array.from({ length: 3000 }, (_, i) => `1767981600.${String(i).padStart(6, '0')}\tC${i}\t10.0.${i >> 8}.${i & 255}\t1000\t10.0.0.99\t80\ttcp`),
].join('\n');

/** One way to break a case folder, and the message every command must give for it. */
interface BrokenCase {
  name: string;
  breakCase: (dir: string) => void;
  message: (dir: string) => RegExp;
  /**
   * Commands that must detect the damage, all three by default. Damage inside pages is found by
   * case info's integrity check, or by whichever query reads the page.
   */
  detectedBy?: string[];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function editCaseJson(dir: string, edit: (meta: Record<string, unknown>) => unknown): void {
  const path = join(dir, 'case.json');
  writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)));
}

/** Overwrites 4 KiB in the middle of the database with one byte value, as a failing disk might. */
function scribbleOverPages(dir: string): void {
  const path = join(dir, 'case.sqlite');
  const bytes = readFileSync(path);
  bytes.fill(0x5a, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 4096);
  writeFileSync(path, bytes);
}

const BROKEN_CASES: BrokenCase[] = [
  {
    name: 'case.json missing',
    breakCase: (dir) => rmSync(join(dir, 'case.json')),
    message: (dir) => new RegExp(`${escape(dir)} has a case database but no case\\.json\\. Restore case\\.json from a backup`),
  },
  {
    name: 'case.json empty',
    breakCase: (dir) => writeFileSync(join(dir, 'case.json'), ''),
    message: (dir) => new RegExp(`${escape(join(dir, 'case.json'))} is not valid JSON \\(.*\\)\\. Restore it from a backup; Netcase does not overwrite it\\.`),
  },
  {
    name: 'case.json cut short',
    breakCase: (dir) => writeFileSync(join(dir, 'case.json'), readFileSync(join(dir, 'case.json'), 'utf8').slice(0, 40)),
    message: (dir) => new RegExp(`${escape(join(dir, 'case.json'))} is not valid JSON`),
  },
  {
    name: 'case.json without an id',
    breakCase: (dir) => editCaseJson(dir, ({ id: _id, ...rest }) => rest),
    message: (dir) => new RegExp(`${escape(join(dir, 'case.json'))} is not a valid Netcase case file \\(missing id\\)\\. Restore it from a backup`),
  },
  {
    name: 'case.json of another program',
    breakCase: (dir) => editCaseJson(dir, (meta) => ({ ...meta, format: 'something-else' })),
    message: (dir) => new RegExp(`${escape(join(dir, 'case.json'))} is not a valid Netcase case file\\. Restore it from a backup`),
  },
  {
    name: 'case.json from a newer Netcase',
    breakCase: (dir) => editCaseJson(dir, (meta) => ({ ...meta, version: 2 })),
    message: (dir) => new RegExp(`${escape(join(dir, 'case.json'))} has case format version 2; this Netcase reads version 1\\. Update Netcase\\.`),
  },
  {
    name: 'case.json is a folder',
    breakCase: (dir) => {
      rmSync(join(dir, 'case.json'));
      mkdirSync(join(dir, 'case.json'));
    },
    message: (dir) => new RegExp(`Cannot read ${escape(join(dir, 'case.json'))}: EISDIR`),
  },
  {
    name: 'case.sqlite missing',
    breakCase: (dir) => rmSync(join(dir, 'case.sqlite')),
    message: (dir) => new RegExp(`${escape(dir)} has case\\.json but no case\\.sqlite\\. Restore the database from a backup; Netcase does not recreate it over a case\\.`),
  },
  {
    name: 'case.sqlite empty',
    breakCase: (dir) => writeFileSync(join(dir, 'case.sqlite'), ''),
    message: (dir) => new RegExp(`The case database ${escape(join(dir, 'case.sqlite'))} is empty \\(no tables\\), so the case's events and audit log are gone\\. Restore case\\.sqlite from a backup`),
  },
  {
    name: 'case.sqlite random bytes',
    breakCase: (dir) => writeFileSync(join(dir, 'case.sqlite'), Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 31 + 7) % 256))),
    message: (dir) => new RegExp(`The case database ${escape(join(dir, 'case.sqlite'))} is damaged or not an SQLite file: file is not a database\\. Restore case\\.sqlite from a backup or export; Netcase never overwrites it\\.`),
  },
  {
    name: 'case.sqlite cut short',
    breakCase: (dir) => writeFileSync(join(dir, 'case.sqlite'), readFileSync(join(dir, 'case.sqlite')).subarray(0, 3000)),
    message: (dir) => new RegExp(`The case database ${escape(join(dir, 'case.sqlite'))} is damaged or not an SQLite file: database disk image is malformed\\.`),
  },
  {
    name: 'case.sqlite with scribbled pages',
    breakCase: scribbleOverPages,
    detectedBy: ['case info'],
    message: (dir) => new RegExp(`The case database (${escape(join(dir, 'case.sqlite'))} )?is damaged.* Restore case\\.sqlite from a backup or a portable case export; Netcase never overwrites it\\.`),
  },
  {
    name: 'case.sqlite of another program',
    breakCase: (dir) => {
      rmSync(join(dir, 'case.sqlite'));
      const other = new Database(join(dir, 'case.sqlite'));
      other.exec('CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT)');
      other.close();
    },
    message: (dir) => new RegExp(`${escape(join(dir, 'case.sqlite'))} is an SQLite database but not a Netcase case database \\(found tables: bookmarks\\)\\. Restore case\\.sqlite from a backup\\.`),
  },
  {
    name: 'case.sqlite from a newer Netcase',
    breakCase: (dir) => {
      const db = new Database(join(dir, 'case.sqlite'));
      db.pragma('user_version = 999');
      db.close();
    },
    message: () => /schema version 999, (newer than this Netcase supports|but this Netcase needs \d+)/,
  },
];

/** Builds a case with evidence and events through the CLI, so it is as the product leaves it. */
function buildCase(work: string): string {
  const dir = join(work, 'case');
  expect(runNetcase(['case', 'create', dir, '--name', 'broken case']).status).toBe(0);
  const log = join(work, 'conn.log');
  writeFileSync(log, `${CONN_LOG}\n`);
  expect(runNetcase(['add', dir, log]).status).toBe(0);
  expect(runNetcase(['import-logs', dir, log]).status).toBe(0);
  return dir;
}

describe('broken case folders', () => {
  let sound: string;
  beforeAll(() => {
    sound = buildCase(suiteDir('netcase-broken-'));
  });

  it.each(BROKEN_CASES.map((broken) => [broken.name, broken] as const))('%s', (_name, broken) => {
    const work = tempDir();
    const dir = join(work, 'case');
    cpSync(sound, dir, { recursive: true });
    broken.breakCase(dir);
    const before = fingerprintFolder(dir);
    const extra = join(work, 'more.log');
    writeFileSync(extra, `${CONN_LOG.replaceAll('C', 'D')}\n`);

    // One command that opens the case for writing then falls back to reading, one reader, one writer.
    const commands = [['case', 'info', dir], ['events', dir, '--limit', '5'], ['import-logs', dir, extra]];
    for (const args of commands.filter((command) => !broken.detectedBy || broken.detectedBy.includes(command.slice(0, 2).join(' ').replace(` ${dir}`, '')))) {
      const result = runNetcase(args);
      expect(result.stderr, args.join(' ')).toMatch(broken.message(dir));
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(result.status).toBe(1);
    }
    expect(fingerprintFolder(dir)).toEqual(before);
  });

  it('case folder missing', () => {
    const dir = join(tempDir(), 'nowhere');
    const result = runNetcase(['case', 'info', dir]);
    expect(result.stderr).toContain(`Case folder ${dir} not found. Create it with "netcase case create ${dir} --name NAME".`);
    expect(result.status).toBe(1);
  });

  it('case folder is a file', () => {
    const path = join(tempDir(), 'case');
    writeFileSync(path, 'not a folder');
    const result = runNetcase(['import-logs', path, path]);
    expect(result.stderr).toContain(`Case folder ${path} not found.`);
    expect(result.status).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe('not a folder');
  });

  it('case create in an empty folder', () => {
    const dir = join(tempDir(), 'case');
    mkdirSync(dir);
    const result = runNetcase(['case', 'create', dir, '--name', 'into an empty folder']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expectCliSound(dir);
  });

  it('case create over files or a case', () => {
    const work = tempDir();
    const notes = join(work, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'todo.txt'), 'keep me\n');
    const notesBefore = fingerprintFolder(notes);
    const intoNotes = runNetcase(['case', 'create', notes, '--name', 'over notes']);
    expect(intoNotes.stderr).toContain(`${notes} is not empty. Choose an empty or new folder.`);
    expect(intoNotes.status).toBe(1);
    expect(fingerprintFolder(notes)).toEqual(notesBefore);

    const dir = buildCase(work);
    const before = fingerprintFolder(dir);
    const overCase = runNetcase(['case', 'create', dir, '--name', 'over a case']);
    expect(overCase.stderr).toContain(`${dir} is not empty. It already holds a case; open it instead.`);
    expect(overCase.status).toBe(1);
    expect(fingerprintFolder(dir)).toEqual(before);
    expect(readdirSync(work).filter((name) => name.includes('.creating-'))).toEqual([]);
  });

  it('case repaired from a backup opens again', () => {
    const work = tempDir();
    const dir = buildCase(work);
    const backup = readFileSync(join(dir, 'case.sqlite'));
    writeFileSync(join(dir, 'case.sqlite'), '');
    expect(runNetcase(['case', 'info', dir]).status).toBe(1);
    writeFileSync(join(dir, 'case.sqlite'), backup);
    expectCliSound(dir);
  });
});
