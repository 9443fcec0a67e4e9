import { once } from 'node:events';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { beforeAll, expect, it } from 'vitest';
import { openCase } from '../../main/case/case-folder.js';
import { listAudit } from '../../main/case/audit.js';
import { createAnalystCertificate } from '../../main/report/signing/identity.js';
import { verifyPdfSignature } from '../../main/report/signing/verify-pdf.js';
import { runNetcase, startNetcase } from '../helpers/cli.js';
import { writeConnLog } from '../helpers/generate-logs.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { expectCaseSound, expectCliSound, suiteDir, type CaseCounts } from './case-health.js';

/** Seed of the kill times. Change it to explore other points, and reuse a printed one to replay a failure. */
const SEED = Number(process.env.NETCASE_KILL_SEED ?? 20260109);
/** Kills per step when set. Otherwise intake and import get 20, and the slower steps 10. */
const KILLS = process.env.NETCASE_KILLS_PER_STEP ? Number(process.env.NETCASE_KILLS_PER_STEP) : undefined;
const PASSPHRASE = 'robustness passphrase';
const ENV = { NETCASE_P12_PASSPHRASE: PASSPHRASE };

/** Small deterministic generator (mulberry32), so a failing kill time can be replayed. */
function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the CLI, kills it with SIGKILL after `delayMs` unless it ended first, and returns whether the kill landed. */
async function runAndKill(args: string[], delayMs: number): Promise<boolean> {
  const child = startNetcase(args, { env: ENV });
  child.stdout!.resume();
  child.stderr!.resume();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  const [, signal] = await exited;
  clearTimeout(timer);
  return signal === 'SIGKILL';
}

/** Runs the CLI to the end and returns how long it took, in milliseconds. */
function timedRun(args: string[]): { ms: number; status: number; stderr: string } {
  const started = performance.now();
  const result = runNetcase(args, { env: ENV });
  return { ms: performance.now() - started, status: result.status, stderr: result.stderr };
}

/** Runs the CLI and expects it to succeed, showing its error output when it does not. */
function mustRun(args: string[]): void {
  const result = runNetcase(args, { env: ENV });
  expect(result.status, `netcase ${args.join(' ')}: ${result.stderr}`).toBe(0);
}

/** Counts that a rerun must reproduce. The audit log grows with every attempt, so it is left out. */
function withoutAudit(counts: CaseCounts): Omit<CaseCounts, 'auditEntries'> {
  const { auditEntries: _auditEntries, ...rest } = counts;
  return rest;
}

/**
 * One step under test. `prepare` builds the case as it is before the step, `args` runs the
 * step on a copy of it, and `check` adds the step's own checks after the rerun.
 */
interface Step {
  name: string;
  kills: number;
  prepare: (caseDir: string, work: string) => void;
  args: (caseDir: string, work: string) => string[];
  check?: (caseDir: string, work: string) => void;
}

describeWithShared('kill -9 at random points', () => {
  const work = suiteDir('netcase-kill-');
  const inputs = join(work, 'inputs');
  const p12 = join(work, 'analyst.p12');
  const random = randomGenerator(SEED);

  beforeAll(async () => {
    mkdirSync(inputs);
    // Intake and import inputs: about 5 MB in four files, enough that each step's own work
    // outlasts the CLI's start-up. conn.log (4.8 MB) is over the 4 MiB from which the import
    // parses on a second thread, and the other files are parsed on the import thread.
    await writeConnLog(join(inputs, 'conn.log'), 40_000);
    await writeConnLog(join(inputs, 'conn-late.log'), 5_000, 1767990000);
    writeFileSync(join(inputs, 'conn-late.log.gz'), gzipSync(readFileSync(join(inputs, 'conn-late.log'))));
    const dns = Array.from({ length: 2_000 }, (_, i) => JSON.stringify({ ts: 1767981600 + i / 100, uid: `D${i}`, 'id.orig_h': '10.0.0.1', query: `host${i}.example.org` }));
    writeFileSync(join(inputs, 'dns.json'), `${dns.join('\n')}\n`);
    copyFileSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'), join(inputs, 'vip-recovery.pcap'));
    writeFileSync(p12, createAnalystCertificate({ name: 'Ana Lyst', passphrase: PASSPHRASE }));
    console.log(`kill -9 tests use seed ${SEED} (set NETCASE_KILL_SEED to replay another)`);
  }, 120_000);

  const steps: Step[] = [
    {
      name: 'intake',
      kills: KILLS ?? 20,
      prepare: () => undefined,
      args: (caseDir) => ['add', caseDir, join(inputs, 'conn.log'), join(inputs, 'dns.json'), join(inputs, 'vip-recovery.pcap')],
    },
    {
      name: 'import',
      kills: KILLS ?? 20,
      prepare: () => undefined,
      args: (caseDir) => ['import-logs', caseDir, join(inputs, 'conn.log'), join(inputs, 'conn-late.log.gz'), join(inputs, 'dns.json')],
    },
    {
      name: 'engine run',
      kills: KILLS ?? 10,
      prepare: (caseDir) => {
        mustRun(['add', caseDir, join(inputs, 'vip-recovery.pcap'), sharedPath('corpus/edge/zeek-mixed-vlan-mpls/mixed-vlan-mpls.pcap'), sharedPath('corpus/edge/tcpdump-tests/bigtcp-ipv6.pcap')]);
      },
      args: (caseDir) => ['analyze', caseDir, '--engine', 'tshark'],
      check: (caseDir) => {
        // Only the folders of finished runs stay under engine/.
        const opened = openCase(caseDir, { write: false });
        try {
          const kept = (opened.db.prepare(`SELECT id FROM engine_runs WHERE status = 'done'`).pluck().all() as string[]).sort();
          expect(readdirSync(join(caseDir, 'engine')).sort()).toEqual(kept);
        } finally {
          opened.close();
        }
      },
    },
    {
      name: 'report export',
      kills: KILLS ?? 10,
      prepare: (caseDir) => {
        mustRun(['add', caseDir, join(inputs, 'vip-recovery.pcap')]);
        mustRun(['analyze', caseDir, '--engine', 'tshark']);
        mustRun(['ioc', 'tag', caseDir, '8.8.8.8', '--verdict', 'malicious']);
      },
      args: (caseDir) => ['report', caseDir, '--out', join(caseDir, 'reports', 'report.pdf'), '--sign', p12],
      check: (caseDir) => {
        const pdfPath = join(caseDir, 'reports', 'report.pdf');
        const pdf = readFileSync(pdfPath);
        expect(verifyPdfSignature(pdf).problems).toEqual([]);
        expect(readdirSync(join(caseDir, 'reports')).sort()).toEqual(['report.pdf', 'report.pdf.sha256']);
        const opened = openCase(caseDir, { write: false });
        try {
          const exports = listAudit(opened.db).filter((entry) => entry.action === 'report.export');
          // A kill after the audit commit leaves one finished export before the rerun's.
          expect(exports.length).toBeGreaterThanOrEqual(1);
          expect(exports.length).toBeLessThanOrEqual(2);
          expect((JSON.parse(exports.at(-1)!.details) as { sha256: string }).sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
        } finally {
          opened.close();
        }
      },
    },
  ];

  it(`case create survives ${KILLS ?? 10} kills`, async () => {
    const kills = KILLS ?? 10;
    const parent = join(work, 'create');
    mkdirSync(parent);
    const cleanMs = Math.min(...[1, 2].map((attempt) => timedRun(['case', 'create', join(parent, `clean-${attempt}`), '--name', 'clean']).ms));
    let landed = 0;
    for (let run = 0; run < kills; run++) {
      const caseDir = join(parent, `case-${run}`);
      if (await runAndKill(['case', 'create', caseDir, '--name', 'killed'], Math.round(random() * cleanMs))) landed++;

      // The rerun creates the case, or finds the one the killed run finished.
      const rerun = runNetcase(['case', 'create', caseDir, '--name', 'killed']);
      if (rerun.status !== 0) expect(rerun.stderr).toContain(`${caseDir} is not empty. It already holds a case; open it instead.`);
      const counts = await expectCaseSound(caseDir);
      expect(counts.auditEntries).toBe(1);
      expect(readdirSync(parent).filter((name) => name.includes('.creating-'))).toEqual([]);
    }
    console.log(`case create: ${landed} of ${kills} kills landed before the step ended (clean run ${Math.round(cleanMs)} ms)`);
    expect(landed).toBeGreaterThanOrEqual(kills / 3);
  });

  for (const step of steps) {
    it(`${step.name} survives ${step.kills} kills`, async () => {
      // 1. Two clean runs give the reference counts and the step's duration. The shorter one
      // is taken, because a busy machine can slow either, and kills drawn past the end of the
      // step test nothing.
      const baseline = join(work, `${step.name}-baseline`);
      expect(runNetcase(['case', 'create', baseline, '--name', `kill ${step.name}`]).status).toBe(0);
      step.prepare(baseline, work);
      let cleanMs = Infinity;
      let expected: Omit<CaseCounts, 'auditEntries'> | undefined;
      for (const attempt of [1, 2]) {
        const cleanDir = join(work, `${step.name}-clean-${attempt}`);
        cpSync(baseline, cleanDir, { recursive: true });
        const clean = timedRun(step.args(cleanDir, work));
        expect(clean.stderr).not.toContain('internal error');
        expect(clean.status).toBe(0);
        step.check?.(cleanDir, work);
        const counts = withoutAudit(await expectCaseSound(cleanDir));
        if (expected) expect(counts).toEqual(expected);
        expected = counts;
        cleanMs = Math.min(cleanMs, clean.ms);
        rmSync(cleanDir, { recursive: true, force: true });
      }

      // 2. Each run is killed at a time drawn from that duration, then checked and run again.
      let landed = 0;
      for (let run = 0; run < step.kills; run++) {
        const caseDir = join(work, `${step.name}-${run}`);
        cpSync(baseline, caseDir, { recursive: true });
        const delayMs = Math.round(random() * cleanMs);
        if (await runAndKill(step.args(caseDir, work), delayMs)) landed++;

        await expectCaseSound(caseDir, { partialCopies: true });
        const rerun = runNetcase(step.args(caseDir, work), { env: ENV });
        expect(rerun.stderr, `rerun after a kill at ${delayMs} ms`).not.toContain('internal error');
        // add exits 1 when every file is already evidence, which a kill after the last commit leaves.
        if (rerun.status === 1) expect(rerun.stderr).toMatch(/^(Skipped .*: same content \(SHA-256 [0-9a-f]{64}\) is already evidence as evidence\/.*\n)+$/);
        else expect([0, 3]).toContain(rerun.status);
        expect(withoutAudit(await expectCaseSound(caseDir)), `counts after a kill at ${delayMs} ms`).toEqual(expected);
        step.check?.(caseDir, work);
        if (run < step.kills - 1) rmSync(caseDir, { recursive: true, force: true });
      }
      console.log(`${step.name}: ${landed} of ${step.kills} kills landed before the step ended (clean run ${Math.round(cleanMs)} ms)`);
      // Load on the machine varies, so a third of the kills landing is enough to count.
      expect(landed).toBeGreaterThanOrEqual(step.kills / 3);
      expectCliSound(join(work, `${step.name}-${step.kills - 1}`));
    }, 600_000);
  }
});
