// Benchmark wrapper for `npm run bench`: runs report.bench.ts (a signed report of about 50
// pages) through tsx in a child process and returns its wall and CPU medians.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export async function benchReport() {
  const script = join(import.meta.dirname, 'report.bench.ts');
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`report.bench.ts failed with exit code ${child.status}`);
  const lines = child.stdout.trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]);
  console.log(lines.slice(0, -1).join('\n'));
  return [{ pages: summary.pages, runs: summary.runs, 'wall median ms': Math.round(summary.wallMedianMs), 'cpu median ms': Math.round(summary.cpuMedianMs), 'wall max ms': Math.round(summary.wallMaxMs) }];
}
