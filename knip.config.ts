// Unused files, exports, types and dependencies (`npm run knip`, a CI step; ADR 0031).
import type { KnipConfig } from 'knip';

const config: KnipConfig = {
  entry: [
    // Besides what knip finds itself: bin/rspp.js (package.json `bin`), vitest.config.ts with
    // its globalSetup (vitest plugin), eslint.config.js (ESLint plugin).
    'tools/**/*.ts',
    'test/**/*.ts',
    '**/*.test.ts',
    '.ci/*.mjs',
    // The public surfaces: their exports count as used.
    'actors/index.ts',
    'contracts/index.ts',
    'machines/index.ts',
    'replay/index.ts',
    'adapters/*/*/index.ts',
    // Internal to adapters/bus: its embedded and nats implementations are its only users.
    '!adapters/bus/core/index.ts',
    // `rspp paths` loads `<name>.path-events.ts` by file name (tools/paths/load.ts).
    'machines/*.path-events.ts',
    'actors/worker/*.path-events.ts',
    // The inspector page's script: served to the browser by tools/inspect/server.ts (ADR 0046).
    'tools/inspect/page/*.js',
  ],
  // Served to the browser as a file (tools/inspect/server.ts resolves its path), never imported.
  ignoreDependencies: ['@viz-js/viz'],
  // The page imports it by its URL on the inspector server (its file is @viz-js/viz's dist/viz.js).
  ignoreUnresolved: ['/vendor/viz.js'],
  project: ['**/*.{ts,js,mjs}'],
};

export default config;
