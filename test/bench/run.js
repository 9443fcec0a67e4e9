// `npm run bench`: runs the benchmarks in sequence and prints their figures with the machine
// they ran on. Name some to run only those: `npm run bench -- ingest analysis`.
// BENCH_EVENTS sets the event count of the generated cases (default 1,000,000).
import { cpus, totalmem, loadavg } from 'node:os';
import { benchIngest } from './ingest.bench.js';
import { benchAnalyze } from './analyze.bench.js';
import { benchAnalysis } from './analysis.bench.js';
import { benchReport } from './report.bench.js';
import { benchBrush } from './brush.bench.js';
import { benchGraph } from './graph.bench.js';

const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const benches = {
  ingest: ['Ingest: import-logs on generated Zeek JSON logs against a bare JSON.parse + INSERT baseline', () => benchIngest({ events })],
  analyze: ['Capture to case: netcase analyze against the bare engine on a capture of at least 100 MB', () => benchAnalyze({ engine: 'tshark', minMegabytes: 100 })],
  analysis: ['Analysis queries on a generated case', () => benchAnalysis({ events })],
  report: ['Signed report: a report of about 50 pages built, rendered, signed and written (target 2 s)', () => benchReport()],
  brush: ['Timeline brush in Chromium: frame gaps while dragging a window on a generated case (target p95 33 ms)', () => benchBrush({ events })],
  graph: ['Graph pane in Chromium: 2,000 nodes and 5,000 edges laid out and answering a click (target 3 s), then a drag', () => benchGraph()],
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}. Choose from: ${Object.keys(benches).join(', ')}.`);
  process.exit(2);
}

console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`);
console.log(`Load average at start: ${loadavg().map((value) => value.toFixed(1)).join(', ')}\n`);
for (const [name, [title, run]] of Object.entries(benches)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  console.log(title);
  console.table(await run());
}
