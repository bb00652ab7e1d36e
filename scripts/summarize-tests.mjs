// One line for every suite of scripts/test.sh together, from vitest's JSON reports, and an
// exit code that agrees with it: non-zero when any test failed, a suite failed to load, or a
// suite wrote no report at all (it crashed before reporting).
// Usage: node scripts/summarize-tests.mjs <report.json>...
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    failed += 1;
    console.error(`no report: ${file}`);
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
  if (r.success === false && !r.numFailedTests && !r.numFailedTestSuites) failed += 1;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
