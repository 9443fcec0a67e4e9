import { chmodSync, copyFileSync, createReadStream, createWriteStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createZeekEngine, findZeek, sitePolicyPath, zeekArguments } from '../../main/engines/zeek.js';
import { chooseEngine } from '../../main/engines/choose-engine.js';
import type { Engine } from '../../main/engines/engine.js';
import { NetcaseError } from '../../main/errors.js';
import { FAKE_ZEEK, isProcessAlive, prepareFakeZeekLogs, readFakeZeekRecord, waitForExit, waitForFile } from '../helpers/fake-zeek.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const VIP_PCAP = sharedPath('scenarios/vip-recovery/vip-recovery.pcap');
const PLATFORM_DIR = `${process.platform}-${process.arch}`;

/** Installs the double as `<dir>/zeek` (or under a bundled layout) and returns its path. */
function installDouble(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'zeek');
  copyFileSync(FAKE_ZEEK, path);
  chmodSync(path, 0o755);
  return path;
}

function tsharkStub(version: string | Error): () => Engine {
  return () => ({
    name: 'tshark',
    executable: '/opt/test/tshark',
    version: async () => {
      if (version instanceof Error) throw version;
      return version;
    },
    run: async () => {
      throw new Error('not run in these tests');
    },
  });
}

async function runDouble(env: Record<string, string>, options: { capture?: string; allowBadChecksums?: boolean; signal?: AbortSignal; timeoutMs?: number; onProgress?: (read: number, total: number) => void } = {}) {
  const work = tempDir();
  const outputDir = join(work, 'out');
  mkdirSync(outputDir);
  const record = join(work, 'record.json');
  Object.assign(process.env, { FAKE_ZEEK_RECORD: record, ...env });
  try {
    const engine = createZeekEngine(FAKE_ZEEK);
    const result = await engine.run({
      capturePath: options.capture ?? VIP_PCAP,
      outputDir,
      signal: options.signal ?? new AbortController().signal,
      allowBadChecksums: options.allowBadChecksums ?? true,
      timeoutMs: options.timeoutMs,
      onProgress: options.onProgress,
    });
    return { result, record, outputDir };
  } finally {
    for (const key of ['FAKE_ZEEK_RECORD', ...Object.keys(env)]) delete process.env[key];
  }
}

describe('findZeek', () => {
  it('prefers the bundled copy', () => {
    const resources = tempDir();
    const bundled = installDouble(join(resources, PLATFORM_DIR, 'bin'));
    const configured = installDouble(join(tempDir(), 'configured'));
    const onPath = tempDir();
    installDouble(onPath);

    const search = findZeek({ resourcesDir: resources, env: { NETCASE_ZEEK: configured, PATH: onPath } });

    expect(search.found?.source).toBe('bundled');
    expect(search.found?.executable).toBe(bundled);
    expect(search.found?.prefix).toBe(join(resources, PLATFORM_DIR));
  });

  it('uses the configured path before PATH', () => {
    const configured = installDouble(join(tempDir(), 'configured'));
    const onPath = tempDir();
    installDouble(onPath);

    const search = findZeek({ resourcesDir: tempDir(), env: { NETCASE_ZEEK: configured, PATH: onPath } });

    expect(search.found).toEqual({ executable: configured, source: 'configured' });
  });

  it('falls back to PATH', () => {
    const onPath = tempDir();
    const path = installDouble(onPath);

    const search = findZeek({ resourcesDir: tempDir(), env: { NETCASE_ZEEK: join(tempDir(), 'missing-zeek'), PATH: `/nonexistent-folder:${onPath}` } });

    expect(search.found).toEqual({ executable: path, source: 'path' });
    expect(search.tried.join('\n')).toContain('missing-zeek (missing)');
  });

  it('lists every place when nothing is found', () => {
    const search = findZeek({ resourcesDir: tempDir(), env: { PATH: tempDir() } });

    expect(search.found).toBeUndefined();
    expect(search.tried).toHaveLength(3);
    expect(search.tried[1]).toContain('NETCASE_ZEEK');
  });
});

describe('chooseEngine', () => {
  it('auto picks Zeek when present', async () => {
    const configured = installDouble(join(tempDir(), 'configured'));

    const choice = await chooseEngine('auto', { resourcesDir: tempDir(), env: { NETCASE_ZEEK: configured, PATH: '' }, createTshark: tsharkStub('tshark 4.0.17') });

    expect(choice.engine.name).toBe('zeek');
    expect(choice.version).toBe('fake-zeek version 6.2.1-test-double');
    expect(choice.reason).toContain('configured Zeek');
  });

  it('auto falls back to tshark', async () => {
    const choice = await chooseEngine('auto', { resourcesDir: tempDir(), env: { PATH: tempDir() }, createTshark: tsharkStub('tshark 4.0.17') });

    expect(choice.engine.name).toBe('tshark');
    expect(choice.reason).toMatch(/^Falling back to tshark .* because no Zeek found/);
  });

  it('auto falls back when Zeek is broken', async () => {
    const broken = join(tempDir(), 'zeek');
    writeFileSync(broken, '#!/bin/sh\nexit 7\n');
    chmodSync(broken, 0o755);

    const choice = await chooseEngine('auto', { resourcesDir: tempDir(), env: { NETCASE_ZEEK: broken, PATH: '' }, createTshark: tsharkStub('tshark 4.0.17') });

    expect(choice.engine.name).toBe('tshark');
    expect(choice.reason).toContain('does not work');
  });

  it('zeek request fails when Zeek is missing', async () => {
    const choosing = chooseEngine('zeek', { resourcesDir: tempDir(), env: { PATH: tempDir() }, createTshark: tsharkStub('tshark 4.0.17') });

    await expect(choosing).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('Zeek not found') });
  });

  it('auto fails when no engine works', async () => {
    const choosing = chooseEngine('auto', { resourcesDir: tempDir(), env: { PATH: tempDir() }, createTshark: tsharkStub(new NetcaseError('ENGINE', 'tshark is missing.')) });

    await expect(choosing).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('No capture engine is available') });
  });
});

describe('zeekArguments', () => {
  it('adds -C only when bad checksums are allowed', () => {
    expect(zeekArguments('/p/site.zeek', true)).toEqual(['-r', '-', '-C', 'LogAscii::use_json=T', '/p/site.zeek']);
    expect(zeekArguments('/p/site.zeek', false)).toEqual(['-r', '-', 'LogAscii::use_json=T', '/p/site.zeek']);
  });

  it('site policy disables the run-time streams', () => {
    const policy = readFileSync(sitePolicyPath(), 'utf8');

    for (const stream of ['PacketFilter', 'Reporter', 'LoadedScripts', 'Stats', 'CaptureLoss', 'Telemetry']) {
      expect(policy).toContain(`Log::disable_stream(${stream}::LOG)`);
    }
    expect(policy).not.toMatch(/lookup_hostname|lookup_addr|@load\s+\S*local/);
  });
});

describe('missing Zeek program', () => {
  it('version reports NOT_FOUND', async () => {
    await expect(createZeekEngine('/nonexistent/bin/zeek').version()).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('run reports NOT_FOUND', async () => {
    const outputDir = tempDir();
    const running = createZeekEngine('/nonexistent/bin/zeek').run({ capturePath: FAKE_ZEEK, outputDir, signal: new AbortController().signal, allowBadChecksums: true });

    await expect(running).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('/nonexistent/bin/zeek') });
  });
});

describeWithShared('Zeek engine process handling', () => {
  it('passes the expected arguments and environment', async () => {
    const logs = prepareFakeZeekLogs(join(tempDir(), 'logs'));

    const { result, record, outputDir } = await runDouble({ FAKE_ZEEK_LOGS: logs });
    const invocation = readFakeZeekRecord(record);

    expect(result.exitCode).toBe(0);
    expect(invocation.args).toEqual(['-r', '-', '-C', 'LogAscii::use_json=T', sitePolicyPath()]);
    expect(result.commandLine).toEqual([FAKE_ZEEK, ...invocation.args]);
    expect(invocation.cwd).toBe(outputDir);
    expect(invocation.env.ZEEK_DNS_FAKE).toBe('1');
    expect(invocation.stdinBytes).toBe(statSync(VIP_PCAP).size);
    expect(result.logFiles).toEqual(['conn.log', 'dns.log', 'http.log', 'smtp.log', 'ssl.log'].map((name) => join(outputDir, name)));
  });

  it('omits -C when bad checksums are rejected', async () => {
    const { record } = await runDouble({}, { allowBadChecksums: false });

    expect(readFakeZeekRecord(record).args).not.toContain('-C');
  });

  it('sets ZEEKPATH for a bundled copy', async () => {
    const resources = tempDir();
    const prefix = join(resources, PLATFORM_DIR);
    installDouble(join(prefix, 'bin'));
    const found = findZeek({ resourcesDir: resources, env: {} }).found!;
    const work = tempDir();
    process.env.FAKE_ZEEK_RECORD = join(work, 'record.json');
    try {
      await createZeekEngine(found).run({ capturePath: VIP_PCAP, outputDir: work, signal: new AbortController().signal, allowBadChecksums: true });
    } finally {
      delete process.env.FAKE_ZEEK_RECORD;
    }
    const invocation = readFakeZeekRecord(join(work, 'record.json'));

    expect(invocation.env.ZEEKPATH?.split(':')).toContain(join(prefix, 'share', 'zeek'));
    expect(invocation.env.ZEEK_PLUGIN_PATH).toBe(join(prefix, 'lib', 'zeek', 'plugins'));
  });

  it('decompresses a gzipped capture', async () => {
    const gz = join(tempDir(), 'capture with spaces é.pcap.gz');
    await pipeline(createReadStream(VIP_PCAP), createGzip(), createWriteStream(gz));

    const { record } = await runDouble({}, { capture: gz });
    const invocation = readFakeZeekRecord(record);

    expect(invocation.stdinMagic).toBe('d4c3b2a1');
    expect(invocation.stdinBytes).toBe(statSync(VIP_PCAP).size);
  });

  it('reports progress up to the capture size', async () => {
    const capture = join(tempDir(), 'big.pcap');
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    readFileSync(VIP_PCAP).copy(body, 0, 0, 24);
    writeFileSync(capture, body);
    const reports: [number, number][] = [];

    await runDouble({ FAKE_ZEEK_READ_DELAY_MS: '40' }, { capture, onProgress: (read, total) => reports.push([read, total]) });

    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.every(([, total]) => total === body.length)).toBe(true);
    expect(reports.map(([read]) => read)).toEqual([...reports.map(([read]) => read)].sort((a, b) => a - b));
    expect(reports.at(-1)![0]).toBe(body.length);
    expect(reports.some(([read]) => read > 0 && read < body.length)).toBe(true);
  });

  it('surfaces stderr and the exit status', async () => {
    const { result } = await runDouble({ FAKE_ZEEK_MODE: 'fail' });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('fatal error');
    expect(result.warnings[0]).toContain('failed to read a packet');
  });

  it('returns other exit statuses as they are', async () => {
    const { result } = await runDouble({ FAKE_ZEEK_MODE: 'exit-code', FAKE_ZEEK_EXIT_CODE: '4' });

    expect(result.exitCode).toBe(4);
  });

  it('cancel stops the process tree', async () => {
    const work = tempDir();
    const record = join(work, 'record.json');
    const controller = new AbortController();
    process.env.FAKE_ZEEK_RECORD = record;
    process.env.FAKE_ZEEK_MODE = 'hang';
    let running;
    try {
      running = createZeekEngine(FAKE_ZEEK).run({ capturePath: VIP_PCAP, outputDir: work, signal: controller.signal, allowBadChecksums: true });
      await waitForFile(record);
    } finally {
      delete process.env.FAKE_ZEEK_RECORD;
      delete process.env.FAKE_ZEEK_MODE;
    }
    const invocation = readFakeZeekRecord(record);
    expect(isProcessAlive(invocation.childPid!)).toBe(true);

    controller.abort();

    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await waitForExit(invocation.pid)).toBe(true);
    expect(await waitForExit(invocation.childPid!)).toBe(true);
  });

  it('timeout stops a hung engine', async () => {
    const work = tempDir();
    const record = join(work, 'record.json');
    process.env.FAKE_ZEEK_RECORD = record;
    process.env.FAKE_ZEEK_MODE = 'hang';
    let running;
    try {
      running = createZeekEngine(FAKE_ZEEK).run({ capturePath: VIP_PCAP, outputDir: work, signal: new AbortController().signal, allowBadChecksums: true, timeoutMs: 3500 });
      await waitForFile(record);
    } finally {
      delete process.env.FAKE_ZEEK_RECORD;
      delete process.env.FAKE_ZEEK_MODE;
    }

    await expect(running).rejects.toMatchObject({ code: 'ENGINE', message: expect.stringContaining('did not finish within 3.5 s') });
    expect(await waitForExit(readFakeZeekRecord(record).childPid!)).toBe(true);
  });
});
