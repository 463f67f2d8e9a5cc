// Prints jest's totals as one plain line ("tests: N passed, N failed, N skipped") and exits non-zero when
// something failed or nothing ran.
const fs = require('node:fs');

const file = process.argv[2];
if (!fs.existsSync(file)) {
  console.log(`no test results at ${file}: the tests did not run`);
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
for (const suite of r.testResults.filter((s) => s.status === 'failed')) {
  console.log(`FAILED ${suite.name}`);
  for (const t of suite.assertionResults.filter((a) => a.status === 'failed')) console.log(`  - ${t.fullName}`);
  if (suite.assertionResults.length === 0 && suite.message) console.log(suite.message.split('\n').slice(0, 8).join('\n'));
}
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
process.exit(r.success && r.numTotalTests > 0 ? 0 : 1);
