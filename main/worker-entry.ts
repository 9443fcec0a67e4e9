import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker by entry name. The build emits each worker as `<name>.js` beside the main
 * bundle; when running from TypeScript sources (tests, `tsx`), the `.ts` file is loaded
 * through tsx instead.
 */
export function startWorker(name: string, options: WorkerOptions): Worker {
  for (const relative of [`./${name}.js`, `../${name}.js`]) {
    const built = new URL(relative, import.meta.url);
    if (existsSync(fileURLToPath(built)) && !import.meta.url.endsWith('.ts')) return new Worker(built, options);
  }
  const source = new URL(`./workers/${name}.ts`, import.meta.url);
  if (!existsSync(fileURLToPath(source))) throw new Error(`Worker entry ${name} not found next to ${import.meta.url}`);
  return new Worker(source, { ...options, execArgv: [...(options.execArgv ?? []), '--import', 'tsx'] });
}
