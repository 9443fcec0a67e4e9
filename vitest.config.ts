import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'main/**/*.test.ts'],
    environment: 'node',
    // Integration tests run real imports, tshark and PDF signing on a 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Tests share the 2-core CI machine with tshark and SQLite; a few at a time is enough.
    maxWorkers: 2,
  },
});
