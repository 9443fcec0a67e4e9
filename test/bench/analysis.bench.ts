// Benchmark: the analysis queries on a generated case of about one million events (conn, dns,
// http and ssl over six hours, 500 internal hosts, 10,000 domains). The logs go through the
// real importer, so the entity, relation and full-text tables are the ones an analyst gets.
// Each query runs 30 times (findings 5 times) after a warm-up run; the p50 and p95 wall and
// CPU times are printed.
//
//   npx tsx test/bench/analysis.bench.ts [--events 1000000] [--keep DIR]
//
// With --keep the logs and case stay in DIR, and a later run with the same DIR measures the
// queries again without generating and importing.
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { searchEvents } from '../../main/analysis/event-search.js';
import { buildGraph } from '../../main/analysis/graph.js';
import { buildTimeline } from '../../main/analysis/timeline.js';
import { runDetections } from '../../main/analysis/findings.js';
import { loadRules } from '../../main/analysis/rules.js';

const START_SECONDS = 1_767_960_000;
const SPAN_SECONDS = 6 * 3600;
const HOSTS = 500;
const DOMAINS = 10_000;
const RUNS = 30;

/** Share of each log type in the generated set. */
const MIX: [string, number][] = [
  ['conn', 0.5],
  ['dns', 0.25],
  ['http', 0.1],
  ['ssl', 0.15],
];

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, keep: { type: 'string' } } });
const totalEvents = Number(values.events);

/** Deterministic pseudo-random numbers (mulberry32), so every run generates the same case. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(42);
/** Picks 0..n-1 with a skew towards small numbers, so some domains are popular and most are rare. */
const skewed = (n: number): number => Math.floor(n * next() ** 3);
const internal = (i: number): string => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const external = (i: number): string => `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const domainName = (i: number): string => `host${i}.site${i % 997}.${['com', 'net', 'org', 'io', 'de'][i % 5]}`;

async function writeLog(path: string, count: number, line: (ts: number, index: number) => object): Promise<void> {
  const out = createWriteStream(path);
  for (let index = 0; index < count; index++) {
    const ts = START_SECONDS + (index / count) * SPAN_SECONDS + next() * 0.5;
    if (!out.write(`${JSON.stringify(line(Number(ts.toFixed(6)), index))}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function generate(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const [log, share] of MIX) {
    const path = join(dir, `${log}.log`);
    const count = Math.round(totalEvents * share);
    await writeLog(path, count, (ts, index) => {
      const client = internal(skewed(HOSTS));
      const domainIndex = skewed(DOMAINS);
      const server = external(domainIndex);
      const base = { ts, uid: `C${index.toString(36)}${log}`, 'id.orig_h': client, 'id.orig_p': 1024 + (index % 60000) };
      switch (log) {
        case 'conn':
          return { ...base, 'id.resp_h': server, 'id.resp_p': 443, proto: 'tcp', service: 'ssl', duration: 0.2, orig_bytes: 800, resp_bytes: 20000, conn_state: 'SF' };
        case 'dns':
          return { ...base, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, proto: 'udp', query: domainName(domainIndex), qtype_name: 'A', rcode_name: 'NOERROR', answers: [server] };
        case 'http':
          return { ...base, 'id.resp_h': server, 'id.resp_p': 80, method: 'GET', host: domainName(domainIndex), uri: `/page/${index % 50}`, user_agent: `Agent/${index % 20}`, request_body_len: 0, response_body_len: 1500, status_code: 200 };
        default:
          return { ...base, 'id.resp_h': server, 'id.resp_p': 443, version: 'TLSv13', server_name: domainName(domainIndex), established: true };
      }
    });
    paths.push(path);
  }
  return paths;
}

/**
 * Runs a query and returns wall-time and CPU-time percentiles in milliseconds. CPU time (user
 * plus system of this process) shows the query's own cost when other work shares the machine.
 */
function measure(name: string, work: () => unknown, runs = RUNS): { name: string; p50: number; p95: number; cpuP50: number; cpuP95: number } {
  work();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    work();
    times.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
  const percentile = (values: number[], share: number): number => [...values].sort((a, b) => a - b)[Math.ceil(runs * share) - 1]!;
  const result = { name, p50: percentile(times, 0.5), p95: percentile(times, 0.95), cpuP50: percentile(cpuTimes, 0.5), cpuP95: percentile(cpuTimes, 0.95) };
  const format = (value: number): string => value.toFixed(1).padStart(7);
  console.log(`${name.padEnd(52)} wall p50 ${format(result.p50)} p95 ${format(result.p95)} ms   cpu p50 ${format(result.cpuP50)} p95 ${format(result.cpuP95)} ms`);
  return result;
}

const work = values.keep ?? mkdtempSync(join(tmpdir(), 'netcase-bench-analysis-'));
mkdirSync(work, { recursive: true });
try {
  const dir = join(work, 'case');
  const reuse = existsSync(join(dir, 'case.json'));
  if (!reuse) createCase(dir, { name: 'Analysis bench', analyst: 'Bench', tool: 'bench' });
  const opened = openCase(dir, { write: true, tool: 'bench' });
  if (!reuse) {
    const logs = await generate(work);
    const importStart = performance.now();
    const summary = await importLogs(opened.db, logs, { actor: 'Bench' });
    console.log(`Imported ${summary.records} events in ${((performance.now() - importStart) / 1000).toFixed(1)} s`);
  }
  const eventCount = opened.db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;

  const { db } = opened;
  const second = 1_000_000;
  const hourFrom = (START_SECONDS + 2 * 3600 + 17.25) * second;
  const hourTo = hourFrom + 3600 * second;
  const tenMinutesFrom = (START_SECONDS + 4 * 3600 + 123.5) * second;
  const tenMinutesTo = tenMinutesFrom + 600 * second;
  const rareDomain = domainName(DOMAINS - 3);
  const rules = loadRules();

  const results = [
    measure('histogram, whole case, 60 buckets', () => buildTimeline(db, { buckets: 60 })),
    measure('histogram, 1 h window with partial seconds', () => buildTimeline(db, { from: hourFrom, to: hourTo, buckets: 60 })),
    measure('histogram, 10 min window, 600 buckets', () => buildTimeline(db, { from: tenMinutesFrom, to: tenMinutesTo, buckets: 600 })),
    measure('graph, whole case, top 500 edges', () => buildGraph(db, {})),
    measure('graph, 1 h window', () => buildGraph(db, { from: hourFrom, to: hourTo })),
    measure('graph, 10 min window, min count 2', () => buildGraph(db, { from: tenMinutesFrom, to: tenMinutesTo, minCount: 2 })),
    measure('events page (100), 1 h window', () => searchEvents(db, { from: hourFrom, to: hourTo })),
    measure('events page (100), 1 h window, log http, page 50', () => searchEvents(db, { from: hourFrom, to: hourTo, log: 'http', offset: 5000 })),
    measure('events page (100), host entity', () => searchEvents(db, { entity: { kind: 'host', value: internal(7) } })),
    measure('events page (100), domain entity', () => searchEvents(db, { entity: { kind: 'domain', value: domainName(3) } })),
    measure(`free text, rare name (${rareDomain})`, () => searchEvents(db, { text: rareDomain })),
    measure('free text, common word (Agent) in 1 h window', () => searchEvents(db, { text: 'Agent', from: hourFrom, to: hourTo })),
    measure('free text, prefix (site12*)', () => searchEvents(db, { text: 'site12*' })),
    measure('findings, 1 h window (5 runs)', () => runDetections(db, { from: hourFrom, to: hourTo, rules }), 5),
    measure('findings, whole case (5 runs)', () => runDetections(db, { rules }), 5),
  ];
  console.log(JSON.stringify({ events: eventCount, runs: RUNS, results }));
  opened.close();
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
