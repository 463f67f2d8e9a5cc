/**
 * The crash test's writer: applies `round`'s change sequence through the real store, printing "ack <index>" after each
 * apply resolves (committed, or dropped as duplicate/stale), until it is killed.
 * Usage: node -r pkg/cli/testing/register-ts.js crash-writer.ts <dataSource> <round>
 */
import { openMetaStore } from '../sqlite-store';
import { crashSequence } from './crash-sequence';
import { silentLog } from './fixtures';

async function main(): Promise<void> {
  const [dataSource, round] = process.argv.slice(2);
  const store = await openMetaStore({ dataSource: dataSource!, log: silentLog });
  let index = 0;
  for (const change of crashSequence(Number(round))) {
    await store.apply(change);
    process.stdout.write(`ack ${index++}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
