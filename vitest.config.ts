import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  // Compiles the renderer's single-file components for the component tests.
  plugins: [vue()],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/component/**/*.test.ts', 'test/robustness/**/*.test.ts', 'main/**/*.test.ts'],
    environment: 'node',
    // Integration tests run real imports, tshark and PDF signing on a 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Tests share the 2-core CI machine with tshark and SQLite; a few at a time is enough.
    maxWorkers: 2,
  },
});
