/** Child process: issues node certificates `first`..`first+count-1` from the cached bench CA into `file`. */
import { issueInto, readPki } from './pki-cache';

async function main(): Promise<void> {
  const [first, count, file] = process.argv.slice(2);
  if (first === undefined || count === undefined || file === undefined) throw new Error('usage: issue-certs.js <first> <count> <file>');
  const { ca } = readPki();
  await issueInto(ca, Number(first), Number(count), file);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
