// Benchmark wrapper for `npm run bench`: runs analysis.bench.ts (the analysis queries on a
// generated case) through tsx in a child process and returns its wall and CPU p50/p95 figures.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export async function benchAnalysis({ events = 1_000_000 } = {}) {
  const script = join(import.meta.dirname, 'analysis.bench.ts');
  const child = spawnSync(process.execPath, ['--import', 'tsx', script, '--events', String(events)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`analysis.bench.ts failed with exit code ${child.status}`);
  const lines = child.stdout.trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]);
  console.log(lines.slice(0, -1).join('\n'));
  const round = (value) => Number(value.toFixed(1));
  return summary.results.map((result) => ({
    query: result.name,
    'p50 ms': round(result.p50),
    'p95 ms': round(result.p95),
    'cpu p50 ms': round(result.cpuP50),
    'cpu p95 ms': round(result.cpuP95),
  }));
}
