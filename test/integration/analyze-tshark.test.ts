import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createServices } from '../../main/services.js';
import { runNetcase, startNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const services = createServices('netcase-test');

/** Environment in which no Zeek is found, so `auto` has to choose tshark. */
const NO_ZEEK_ENV = { NETCASE_ZEEK: '', PATH: process.env.PATH ?? '' };

function records(caseDir: string, log: string): Record<string, unknown>[] {
  return [...services.events(caseDir, { log })].map((row) => JSON.parse(row.record) as Record<string, unknown>);
}

/** Creates a case with a copy of vip-recovery.pcap (copied first, as the shared folder is read-only). */
function vipCase(): string {
  const work = tempDir();
  const capture = join(work, 'vip recovery.pcap');
  copyFileSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'), capture);
  const caseDir = join(work, 'case');
  expect(runNetcase(['case', 'create', caseDir, '--name', 'VIP recovery']).status).toBe(0);
  expect(runNetcase(['add', caseDir, capture]).status).toBe(0);
  return caseDir;
}

/** Creates a case with a capture of about `copies` times vip-recovery.pcap, for runs that last a few seconds. */
function largeCase(copies: number): string {
  const work = tempDir();
  const source = sharedPath('scenarios/vip-recovery/vip-recovery.pcap');
  const capture = join(work, 'large.pcap');
  execFileSync('mergecap', ['-a', '-w', capture, ...Array<string>(copies).fill(source)]);
  const caseDir = join(work, 'case');
  expect(runNetcase(['case', 'create', caseDir, '--name', 'Large']).status).toBe(0);
  expect(runNetcase(['add', caseDir, capture]).status).toBe(0);
  return caseDir;
}

/** Starts `netcase analyze --json-progress` and resolves once the engine has read part of the capture. */
async function startAndWaitForProgress(caseDir: string) {
  const child = startNetcase(['analyze', caseDir, '--engine', 'tshark', '--json-progress'], { env: NO_ZEEK_ENV });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const started = buffered.split('\n').some((line) => line.includes('"phase":"engine"') && !line.includes('"bytesRead":0,'));
      if (started) resolve();
    });
    child.once('exit', () => reject(new Error(`netcase ended before reporting progress: ${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
}

describeWithShared('netcase analyze with tshark', () => {
  it('auto falls back to tshark on vip-recovery', () => {
    const caseDir = vipCase();

    const result = runNetcase(['analyze', caseDir], { env: NO_ZEEK_ENV });

    expect(result.stderr).not.toContain('netcase:');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Engine: tshark \d+\.\d+\.\d+\. Falling back to tshark/);
    const [run] = services.engineRuns(caseDir);
    expect(run?.status).toBe('done');
    expect(run?.engine).toBe('tshark');
    expect(run?.requestedEngine).toBe('auto');
    expect(run?.choiceReason).toContain('no Zeek found');
    expect(run?.commandLine[0]).toBe('tshark');
    expect(readdirSync(join(caseDir, run!.outputDir!))).toEqual(expect.arrayContaining(['conn.log', 'dns.log', 'http.log', 'ssl.log', 'smtp.log']));

    const queries = new Set(records(caseDir, 'dns').map((record) => record.query));
    for (const domain of ['firebasestorage.googleapis.com', 'checkip.dyndns.org', 'api.telegram.org', 'eraqron.shop']) expect(queries, domain).toContain(domain);
    const serverNames = records(caseDir, 'ssl').map((record) => record.server_name).sort();
    expect(serverNames).toEqual(['1zil1.s3.cubbit.eu', 'api.telegram.org', 'firebasestorage.googleapis.com', 'reallyfreegeoip.org']);
    const http = records(caseDir, 'http');
    expect(http).toHaveLength(4);
    expect(http.every((record) => record.host === 'checkip.dyndns.org' && record.method === 'GET')).toBe(true);
    const smtp = records(caseDir, 'smtp');
    expect(smtp).toHaveLength(2);
    expect(smtp.map((record) => record.mailfrom)).toEqual(['rejump@eraqron.shop', 'rejump@eraqron.shop']);
    expect(smtp[0]?.subject).toBe('PW | jdoe/DESKTOP-4K2M7QF');
    expect(services.verifyAudit(caseDir).ok).toBe(true);
  });

  it('json run line names the logs', () => {
    const caseDir = vipCase();

    const result = runNetcase(['analyze', caseDir, '--engine', 'tshark', '--json-progress'], { env: NO_ZEEK_ENV });

    expect(result.status).toBe(0);
    const run = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.type === 'run');
    const logFiles = run!.logFiles as string[];
    expect(logFiles).toContain(`engine/${run!.runId as string}/smtp.log`);
    for (const file of logFiles) expect(existsSync(join(caseDir, file)), file).toBe(true);
  });

  it('interrupt then rerun completes', async () => {
    const caseDir = largeCase(400);
    const { child, exited, stderr } = await startAndWaitForProgress(caseDir);

    child.kill('SIGINT');

    expect(await exited).toBe(1);
    expect(stderr()).toContain('Analysis cancelled');
    expect(services.engineRuns(caseDir)).toEqual([]);
    expect([...services.events(caseDir, { limit: 1 })]).toEqual([]);
    expect(readdirSync(join(caseDir, 'engine'))).toEqual([]);

    const rerun = runNetcase(['analyze', caseDir, '--engine', 'tshark'], { env: NO_ZEEK_ENV });
    expect(rerun.status).toBe(0);
    expect(services.engineRuns(caseDir).map((run) => run.status)).toEqual(['done']);
  });

  it('killed run leaves no partial run', async () => {
    const caseDir = largeCase(400);
    const { child, exited } = await startAndWaitForProgress(caseDir);

    child.kill('SIGKILL');
    await exited;

    expect(services.engineRuns(caseDir)).toEqual([]);
    const rerun = runNetcase(['analyze', caseDir, '--engine', 'tshark'], { env: NO_ZEEK_ENV });
    expect(rerun.status).toBe(0);
    const runs = services.engineRuns(caseDir);
    expect(runs.map((run) => run.status)).toEqual(['done']);
    expect(readdirSync(join(caseDir, 'engine'))).toEqual([runs[0]!.id]);
    expect(records(caseDir, 'smtp').length).toBeGreaterThan(0);
  });
});
