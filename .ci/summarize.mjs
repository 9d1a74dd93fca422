// Prints `N passed, N failed[, N skipped]` from a vitest JSON report; exits 1 on failures or a
// missing/unreadable report, so CI never mistakes "no report" for "no failures".
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'reports/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.error(
    `cannot read vitest report ${path}: ${error instanceof Error ? error.message : String(error)}`,
  );
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A suite that failed to load has no failed tests but must still fail the run.
const brokenSuites = (report.testResults ?? []).filter(
  (suite) =>
    suite.status === 'failed' && (suite.assertionResults ?? []).every((t) => t.status !== 'failed'),
).length;
const totalFailed = failed + brokenSuites;
console.log(`${passed} passed, ${totalFailed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(totalFailed > 0 || passed === 0 ? 1 : 0);
