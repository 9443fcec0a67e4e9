// Benchmark: capture-to-case time of `netcase analyze` next to the bare engine time on the same
// capture of at least 100 MB. Run after `npm run build`:
//
//   node test/bench/analyze.bench.js [--engine tshark|zeek] [--min-mb 100] [--rounds 2] [--keep]
//
// The capture is built in a temporary folder from vip-recovery.pcap: time-shifted copies made
// with editcap, concatenated with mergecap until the file reaches the requested size. The bare
// engine time runs the same program with the same arguments as the recorded run, except that
// it reads the file directly (the argument after -r), and discards its output.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpus, totalmem, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const REPO_DIR = resolve(import.meta.dirname, '../..');
const CLI = join(REPO_DIR, 'bin/netcase.js');
const SHARED_DIR = resolve(process.env.NETCASE_SHARED ?? join(REPO_DIR, '../shared'));
const SOURCE = join(SHARED_DIR, 'scenarios/vip-recovery/vip-recovery.pcap');

/** Distinct time-shifted copies of the source; the big capture repeats this set. */
const SHIFTED_COPIES = 20;

export async function benchAnalyze({ engine = 'tshark', minMegabytes = 100, rounds = 2, keep = false } = {}) {
  if (!existsSync(join(REPO_DIR, 'out/main/cli.js'))) throw new Error('The CLI is not built. Run "npm run build" first.');
  if (!existsSync(SOURCE)) throw new Error(`${SOURCE} not found. Set NETCASE_SHARED to the folder with scenarios/vip-recovery.`);
  const work = mkdtempSync(join(tmpdir(), 'netcase-bench-analyze-'));
  try {
    // 1. Build the capture.
    const capture = buildCapture(work, minMegabytes * 1e6);
    const captureBytes = statSync(capture).size;

    // 2. Capture to case (intake, then analyze: engine run plus import) and the bare engine on
    // the same file with the same arguments, alternating, so that load from other programs on
    // the machine affects both. The fastest round of each counts.
    const addTimes = [];
    const analyzeTimes = [];
    const bareTimes = [];
    let run;
    let bareArgs = [];
    for (let round = 0; round < rounds; round++) {
      const caseDir = join(work, `case-${round}`);
      netcase(['case', 'create', caseDir, '--name', 'Bench']);
      addTimes.push(await timed(() => netcase(['add', caseDir, capture])));
      analyzeTimes.push(await timed(() => netcase(['analyze', caseDir, '--engine', engine])));
      run = readRun(caseDir);
      rmSync(caseDir, { recursive: true, force: true });

      bareArgs = run.commandLine.slice(1).map((arg, i, all) => (all[i - 1] === '-r' ? capture : arg));
      bareTimes.push(await timed(() => runDiscardingOutput(run.commandLine[0], bareArgs, join(work, 'bare'))));
    }
    const addSeconds = Math.min(...addTimes);
    const analyzeSeconds = Math.min(...analyzeTimes);
    const bareSeconds = Math.min(...bareTimes);

    return {
      machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`,
      engine: `${run.engine} (${run.engineVersion})`,
      captureBytes,
      records: run.records,
      addSeconds,
      analyzeSeconds,
      bareEngineSeconds: bareSeconds,
      ratio: analyzeSeconds / bareSeconds,
      rounds: { analyzeSeconds: analyzeTimes, bareEngineSeconds: bareTimes },
      command: `netcase analyze CASE --engine ${engine}`,
      bareCommand: `${run.commandLine[0]} ${bareArgs.slice(0, 4).join(' ')} … > /dev/null`,
    };
  } finally {
    if (keep) console.log(`Kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function buildCapture(work, minBytes) {
  const shifted = [];
  for (let i = 0; i < SHIFTED_COPIES; i++) {
    const copy = join(work, `shifted-${i}.pcap`);
    // One hour apart, so the copies' flows never overlap in time.
    execFileSync('editcap', ['-F', 'pcap', '-t', String(i * 3600), SOURCE, copy]);
    shifted.push(copy);
  }
  // Each copy's 24-byte file header is dropped by the concatenation, hence one spare repeat.
  const setBytes = shifted.reduce((sum, path) => sum + statSync(path).size, 0);
  const repeats = Math.ceil(minBytes / setBytes) + 1;
  const inputs = [];
  for (let r = 0; r < repeats; r++) inputs.push(...shifted);
  const capture = join(work, 'bench.pcap');
  execFileSync('mergecap', ['-F', 'pcap', '-a', '-w', capture, ...inputs]);
  for (const path of shifted) rmSync(path);
  return capture;
}

function netcase(args) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NETCASE_ZEEK: process.env.NETCASE_ZEEK ?? '' }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`netcase ${args.join(' ')} failed with status ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function readRun(caseDir) {
  const db = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
  try {
    const row = db.prepare("SELECT * FROM engine_runs WHERE status = 'done' ORDER BY started_at DESC LIMIT 1").get();
    if (!row) throw new Error('The analyze run left no done run row.');
    return { engine: row.engine, engineVersion: row.engine_version, commandLine: JSON.parse(row.command_line), records: row.records };
  } finally {
    db.close();
  }
}

function runDiscardingOutput(program, args, cwd) {
  execFileSync('mkdir', ['-p', cwd]);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${program} exited with status ${code}: ${stderr}`))));
  });
}

async function timed(work) {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { engine: { type: 'string' }, 'min-mb': { type: 'string' }, rounds: { type: 'string' }, keep: { type: 'boolean' } } });
  const result = await benchAnalyze({
    engine: values.engine ?? 'tshark',
    minMegabytes: Number(values['min-mb'] ?? 100),
    rounds: Number(values.rounds ?? 2),
    keep: values.keep === true,
  });
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `analyze: ${(result.captureBytes / 1e6).toFixed(1)} MB capture, ${result.records} records: capture to case ${result.analyzeSeconds.toFixed(1)} s ` +
      `(plus intake ${result.addSeconds.toFixed(1)} s), bare engine ${result.bareEngineSeconds.toFixed(1)} s, ratio ${result.ratio.toFixed(2)}x (target at most 1.2x)`,
  );
}
