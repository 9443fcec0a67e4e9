// Benchmark: `netcase import-logs` on a generated Zeek JSON log set, next to a speed-of-light
// baseline measured in the same run: JSON.parse of every line plus a prepared INSERT of the
// same rows into a table with no indexes, in one transaction. A second run of the baseline also
// builds the event indexes and the full-text index of the case schema. Its time bounds the ratio
// that any import building those indexes can reach on this machine. Peak RSS is read for several
// input sizes to show whether memory grows with input. Run after `npm run build`:
//
//   node test/bench/ingest.bench.js [--events 1000000]
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const REPO_DIR = resolve(import.meta.dirname, '../..');
const CLI = join(REPO_DIR, 'bin/netcase.js');
const RSS_HOOK = join(import.meta.dirname, 'report-peak-rss.mjs');
const BASELINE = join(import.meta.dirname, 'ingest-baseline.mjs');

/** Share of each log type in the generated set (conn, dns, http). */
const MIX = [
  ['conn', 0.6],
  ['dns', 0.3],
  ['http', 0.1],
];

export async function benchIngest({ events = 1_000_000, sizes = [250_000, 500_000] } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'netcase-bench-ingest-'));
  try {
    const results = [];
    for (const count of [...sizes.filter((size) => size < events), events]) {
      const logs = join(work, `logs-${count}`);
      await generateLogSet(logs, count);

      const baseline = runMeasured(process.execPath, ['--import', RSS_HOOK, BASELINE, join(work, `baseline-${count}.sqlite`), logs]);
      const caseDir = join(work, `case-${count}`);
      runMeasured(process.execPath, [CLI, 'case', 'create', caseDir, '--name', 'Bench']);
      const floor = runMeasured(process.execPath, [BASELINE, join(work, `floor-${count}.sqlite`), logs, join(caseDir, 'case.sqlite')]);
      const floorSteps = JSON.parse(floor.stdout);
      const ours = runMeasured(process.execPath, ['--import', RSS_HOOK, CLI, 'import-logs', caseDir, logs]);

      results.push({
        events: count,
        baselineSeconds: baseline.seconds,
        baselineRate: Math.round(count / baseline.seconds),
        baselinePeakRssMiB: baseline.peakRssMiB,
        netcaseSeconds: ours.seconds,
        netcaseRate: Math.round(count / ours.seconds),
        netcasePeakRssMiB: ours.peakRssMiB,
        ratio: Number((baseline.seconds / ours.seconds).toFixed(2)),
        // Even with every core busy all the time, an import needs at least the baseline's work plus
        // these index builds, divided by the number of cores.
        eventIndexSeconds: floorSteps.eventIndexes,
        textIndexSeconds: floorSteps.textIndex,
        ratioBound: Number(((availableParallelism() * baseline.seconds) / floor.seconds).toFixed(2)),
      });
      rmSync(logs, { recursive: true, force: true });
      rmSync(caseDir, { recursive: true, force: true });
    }
    return results;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs a command, fails on a non-zero exit, returns wall seconds, the peak RSS it reported and its output. */
function runMeasured(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const rss = /peak-rss-kib=(\d+)/.exec(result.stderr);
  return { seconds: Number(seconds.toFixed(2)), peakRssMiB: rss ? Math.round(Number(rss[1]) / 1024) : null, stdout: result.stdout };
}

/** Writes Zeek JSON logs (one object per line, epoch ts) with `total` records in all. */
export async function generateLogSet(dir, total) {
  mkdirSync(dir, { recursive: true });
  const start = 1767981600;
  for (const [log, share] of MIX) {
    const count = Math.round(total * share);
    const out = createWriteStream(join(dir, `${log}.log`));
    let chunk = '';
    for (let i = 0; i < count; i++) {
      chunk += `${JSON.stringify(record(log, i, start + (i * 86400) / count))}\n`;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'finish');
  }
}

const RESPONDER_PORT = { conn: 443, dns: 53, http: 80 };

function record(log, i, seconds) {
  const base = {
    ts: Number(seconds.toFixed(6)),
    uid: `C${(i * 2654435761 % 4294967296).toString(36)}${log[0]}${i.toString(36)}`,
    // A mid-size network's day: 500 internal hosts talking to 5,000 external addresses.
    'id.orig_h': `10.1.${(i % 500) >> 8}.${(i % 500) & 255}`,
    'id.orig_p': 1024 + (i % 60000),
    'id.resp_h': `198.51.${Math.floor((i * 7) % 5000 / 250)}.${(i * 7) % 250}`,
    'id.resp_p': RESPONDER_PORT[log],
  };
  if (log === 'conn') {
    return { ...base, proto: 'tcp', service: 'ssl', duration: (i % 1000) / 100, orig_bytes: i % 5000, resp_bytes: i % 90000, conn_state: 'SF', missed_bytes: 0, history: 'ShADadFf', orig_pkts: 10, orig_ip_bytes: 900, resp_pkts: 12, resp_ip_bytes: 14000 };
  }
  if (log === 'dns') {
    return { ...base, proto: 'udp', trans_id: i % 65536, rtt: 0.02, query: `host${i % 5000}.example${i % 37}.com`, qclass: 1, qclass_name: 'C_INTERNET', qtype: 1, qtype_name: 'A', rcode: 0, rcode_name: 'NOERROR', AA: false, TC: false, RD: true, RA: true, Z: 0, answers: [`203.0.113.${i % 250}`], TTLs: [300.0], rejected: false };
  }
  return { ...base, trans_depth: 1, method: i % 7 === 0 ? 'POST' : 'GET', host: `site${i % 900}.example.org`, uri: `/path/${i % 3000}/index.html?q=${i}`, version: '1.1', user_agent: `Mozilla/5.0 (bench ${i % 20})`, request_body_len: 0, response_body_len: i % 100000, status_code: 200, status_msg: 'OK', tags: [], resp_fuids: [`F${i.toString(36)}`], resp_mime_types: ['text/html'] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' } } });
  console.table(await benchIngest({ events: Number(values.events) }));
}
