// Benchmark wrapper for `npm run bench`: runs brush.bench.ts (brushing the timeline of a
// generated case in Chromium) through tsx in a child process and returns its frame-gap figures.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export async function benchBrush({ events = 1_000_000 } = {}) {
  const script = join(import.meta.dirname, 'brush.bench.ts');
  const child = spawnSync(process.execPath, ['--import', 'tsx', script, '--events', String(events)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`brush.bench.ts failed with exit code ${child.status}`);
  const lines = child.stdout.trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]);
  const row = (name, figures) => ({ measured: name, 'frame gaps': figures.frames, 'p50 ms': figures.p50, 'p95 ms': figures.p95, 'max ms': figures.max });
  return [row('during the drag (target p95 ≤ 33 ms)', summary.during), row('1.5 s after release', summary.after)];
}
