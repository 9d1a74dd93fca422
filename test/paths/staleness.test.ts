import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RSPP_MACHINES } from '../../tools/paths/load.ts';
import { buildRegisteredSuite } from '../../tools/paths/suite.ts';

describe('committed path suites', () => {
  for (const entry of RSPP_MACHINES) {
    it(
      `${entry.name}.paths.generated.test.ts matches its machine`,
      { timeout: 60_000 },
      async () => {
        const suite = await buildRegisteredSuite(entry);
        const committed = await readFile(suite.file, 'utf8').catch(() => '(missing)');
        const stale = committed !== suite.text;
        expect(
          stale,
          `test/paths/${entry.name}.paths.generated.test.ts is stale: run \`npx rspp paths --machine ${entry.name}\``,
        ).toBe(false);
      },
    );
  }
});
