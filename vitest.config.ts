import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'out/**', 'reports/**', '.scratch/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    globalSetup: ['test/harness/global-nats.ts'],
    // Fails any test that opens a non-loopback connection (ADR 0037).
    setupFiles: ['test/harness/loopback-guard.ts'],
  },
});
