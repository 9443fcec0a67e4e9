import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// Main-process bundle entries. `cli` is the headless `netcase` command; workers are separate
// entries because worker_threads load them by file name (see main/worker-entry.ts).
const mainEntries = {
  index: resolve('main/electron/main.ts'),
  cli: resolve('main/cli/main.ts'),
  'import-worker': resolve('main/workers/import-worker.ts'),
  'parse-worker': resolve('main/workers/parse-worker.ts'),
  'report-worker': resolve('main/workers/report-worker.ts'),
};

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: mainEntries,
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only 'electron' and a few Node modules, so zod (the
      // contract's schemas) is bundled in.
      externalizeDeps: { exclude: ['zod'] },
      rolldownOptions: {
        input: { index: resolve('preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve('out/renderer'),
      rolldownOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
