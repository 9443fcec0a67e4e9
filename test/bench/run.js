// `npm run bench`: runs every benchmark in sequence and prints its figures with the machine
// they ran on. Each benchmark module exports one async function; see the file for its options.
import { cpus, totalmem } from 'node:os';
import { benchIngest } from './ingest.bench.js';
import { benchAnalysis } from './analysis.bench.js';

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;
console.log(`Machine: ${machine}\n`);

const benches = [
  ['Ingest (import-logs on generated Zeek JSON logs)', () => benchIngest({ events: Number(process.env.BENCH_EVENTS ?? 1_000_000) })],
  ['Analysis queries (histogram, graph, events, free text, findings)', () => benchAnalysis({ events: Number(process.env.BENCH_EVENTS ?? 1_000_000) })],
];

for (const [title, run] of benches) {
  console.log(title);
  console.table(await run());
}
