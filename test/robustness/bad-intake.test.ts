import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openCase } from '../../main/case/case-folder.js';
import { listEngineRuns } from '../../main/engines/engine-runs.js';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';
import { expectCaseSound } from './case-health.js';

/** Bytes that follow a valid magic number but are no capture, generated from a fixed formula. */
function junk(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7919 + 101) % 251));
}

/** One bad `netcase add` input: how to make it, and what the CLI must print and keep. */
interface BadIntake {
  name: string;
  make: (work: string) => string;
  exitCode: number;
  stderr: (path: string) => RegExp;
  evidence: number;
}

const BAD_INTAKES: BadIntake[] = [
  {
    name: 'an empty file',
    make: (work) => {
      writeFileSync(join(work, 'empty.pcap'), '');
      return join(work, 'empty.pcap');
    },
    exitCode: 1,
    stderr: (path) => new RegExp(`Cannot add ${path}: not a packet capture \\(pcap, pcapng\\) or a Zeek log \\(empty file\\)\\. Add \\.pcap/\\.pcapng captures`),
    evidence: 0,
  },
  {
    name: 'a text file',
    make: (work) => {
      writeFileSync(join(work, 'notes.txt'), 'call the ISP on Monday\n');
      return join(work, 'notes.txt');
    },
    exitCode: 1,
    stderr: (path) => new RegExp(`Cannot add ${path}: not a packet capture \\(pcap, pcapng\\) or a Zeek log`),
    evidence: 0,
  },
  {
    name: 'a folder with junk beside a capture',
    make: (work) => {
      mkdirSync(join(work, 'folder', 'notes'), { recursive: true });
      writeFileSync(join(work, 'folder', 'notes', 'todo.txt'), 'nothing here\n');
      copyFileSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'), join(work, 'folder', 'vip.pcap'));
      return join(work, 'folder');
    },
    exitCode: 3,
    stderr: (path) => new RegExp(`Skipped ${path}/notes/todo\\.txt: not a packet capture \\(pcap, pcapng\\) or a Zeek log`),
    evidence: 1,
  },
  {
    name: 'a named pipe',
    make: (work) => {
      execFileSync('mkfifo', [join(work, 'live.pcap')]);
      return join(work, 'live.pcap');
    },
    exitCode: 1,
    stderr: () => /live\.pcap is neither a file nor a folder \(a pipe, socket or device\)\. Save the capture to a file and add that\./,
    evidence: 0,
  },
  {
    name: 'a missing file',
    make: (work) => join(work, 'gone.pcap'),
    exitCode: 1,
    stderr: (path) => new RegExp(`File ${path} not found\\. Check the path\\.`),
    evidence: 0,
  },
  {
    name: 'a symbolic link to a capture',
    make: (work) => {
      symlinkSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'), join(work, 'link.pcap'));
      return join(work, 'link.pcap');
    },
    exitCode: 0,
    stderr: () => /^$/,
    evidence: 1,
  },
];

/** Files that pass intake by their magic number but that tshark cannot read. */
const UNREADABLE_CAPTURES = [
  { name: 'pcap magic then junk', file: 'junk.pcap', bytes: Buffer.concat([Buffer.from('d4c3b2a1', 'hex'), junk(5000)]), error: /tshark could not read .*junk\.pcap: .*TShark doesn't support/ },
  { name: 'pcapng magic then junk', file: 'junk.pcapng', bytes: Buffer.concat([Buffer.from('0a0d0d0a', 'hex'), junk(3000)]), error: /tshark could not read .*junk\.pcapng: .*isn't a capture file in a format TShark understands/ },
];

describeWithShared('bad evidence intake', () => {
  it.each(BAD_INTAKES.map((bad) => [bad.name, bad] as const))('%s', async (_name, bad) => {
    const work = tempDir();
    const caseDir = join(work, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'intake']).status).toBe(0);
    const path = bad.make(work);

    const result = runNetcase(['add', caseDir, path]);
    expect(result.stderr).toMatch(bad.stderr(path));
    expect(result.stderr).not.toContain('internal error');
    expect(result.status).toBe(bad.exitCode);
    expect((await expectCaseSound(caseDir)).evidence).toBe(bad.evidence);

    // Adding the same input again never adds a second copy.
    runNetcase(['add', caseDir, path]);
    expect((await expectCaseSound(caseDir)).evidence).toBe(bad.evidence);
  });

  it.each(UNREADABLE_CAPTURES.map((bad) => [bad.name, bad] as const))('%s fails its run', async (_name, bad) => {
    const work = tempDir();
    const caseDir = join(work, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'unreadable']).status).toBe(0);
    writeFileSync(join(work, bad.file), bad.bytes);
    expect(runNetcase(['add', caseDir, join(work, bad.file)]).status).toBe(0);

    const analyze = runNetcase(['analyze', caseDir, '--engine', 'tshark']);
    expect(analyze.stderr).toMatch(bad.error);
    expect(analyze.stdout).toContain('Total: 0 of 1 captures analysed, 0 records imported');
    expect(analyze.status).toBe(1);

    const counts = await expectCaseSound(caseDir);
    expect(counts.events).toBe(0);
    expect(readdirSync(join(caseDir, 'engine'))).toEqual([]);
    const opened = openCase(caseDir, { write: false });
    try {
      expect(listEngineRuns(opened.db).map((run) => run.status)).toEqual(['failed']);
    } finally {
      opened.close();
    }
  });
});
