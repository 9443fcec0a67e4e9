import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker by entry name. The build emits each worker as `<name>.js` beside the main
 * bundle. When running from TypeScript sources (tests, `tsx`), the `.ts` entry is loaded
 * through tsx by a small bootstrap.
 */
export function startWorker(name: string, options: WorkerOptions & { workerData: object }): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    for (const relative of [`./${name}.js`, `../${name}.js`]) {
      const built = new URL(relative, import.meta.url);
      if (existsSync(fileURLToPath(built))) return new Worker(built, options);
    }
    throw new Error(`Worker entry ${name}.js not found next to ${import.meta.url}; run "npm run build".`);
  }
  const source = new URL(`./workers/${name}.ts`, import.meta.url);
  const bootstrap = new URL('./workers/source-bootstrap.mjs', import.meta.url);
  return new Worker(bootstrap, { ...options, workerData: { ...options.workerData, sourceEntry: source.href } });
}
