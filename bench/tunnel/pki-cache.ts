/**
 * TLS material for the benchmark, made with pkg/pki once and kept under .tmp/bench-tunnel/pki/: a CA, the cloud's
 * server certificate for 127.0.0.1, and one client certificate per simulated node (CN system:node:<name>,
 * O system:nodes). Issuing a certificate takes ~15 ms of CPU, so 10,000 of them are issued by several processes in
 * parallel the first time and read back afterwards.
 */
import { fork } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { loopbackServerRequest, nodeCertificateRequest } from '../../pkg/join';
import { createCA, issueCertificate, type KeyPairPem } from '../../pkg/pki';

export const CACHE_DIR = join(repoRoot(), '.tmp', 'bench-tunnel', 'pki');
const NODES_FILE = join(CACHE_DIR, 'nodes.jsonl');
/** Certificates are valid for a year; the cache is remade well before they expire. */
const MAX_CACHE_AGE_MS = 300 * 86_400_000;
const CERT_DAYS = 365;

export interface BenchPki {
  ca: KeyPairPem;
  server: KeyPairPem;
}

export function nodeName(index: number): string {
  return `bench-node-${String(index).padStart(5, '0')}`;
}

/** The certificate request of simulated node number `index`. */
export function benchNodeRequest(index: number) {
  return nodeCertificateRequest(nodeName(index), CERT_DAYS);
}

/** The CA and server certificate, made now if the cache has none (or an old one, which also drops the node certs). */
export async function ensurePki(): Promise<BenchPki> {
  const file = join(CACHE_DIR, 'ca.json');
  if (existsSync(file) && Date.now() - statSync(file).mtimeMs < MAX_CACHE_AGE_MS) {
    return JSON.parse(readFileSync(file, 'utf8')) as BenchPki;
  }
  rmSync(CACHE_DIR, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  const ca = await createCA('bench-tunnel-ca', CERT_DAYS);
  const server = await issueCertificate(ca, loopbackServerRequest(CERT_DAYS));
  const pki: BenchPki = { ca: { certPem: ca.certPem, keyPem: ca.keyPem }, server };
  writeFileSync(file, JSON.stringify(pki), { mode: 0o600 });
  return pki;
}

/** The cached CA and server certificate, for the child processes (the orchestrator has made them). */
export function readPki(): BenchPki {
  const file = join(CACHE_DIR, 'ca.json');
  if (!existsSync(file)) throw new Error(`${file} is missing; start the benchmark with bench/tunnel/main.js, which makes it`);
  return JSON.parse(readFileSync(file, 'utf8')) as BenchPki;
}

/** Node certificates already cached. */
export function cachedNodeCount(): number {
  if (!existsSync(NODES_FILE)) return 0;
  const text = readFileSync(NODES_FILE, 'utf8');
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/**
 * Makes sure certificates for nodes 0..count-1 are cached, issuing the missing ones in `workers` child processes
 * (bench/tunnel/issue-certs.ts), each writing its own part file that is appended in order when all are done.
 */
export async function ensureNodeCertificates(count: number, progress: (text: string) => void, workers = availableParallelism()): Promise<void> {
  const have = cachedNodeCount();
  if (have >= count) return;
  const missing = count - have;
  const parts = Math.max(1, Math.min(workers, Math.ceil(missing / 100)));
  const per = Math.ceil(missing / parts);
  progress(`issuing ${missing} node certificates in ${parts} processes (cached in ${CACHE_DIR} for next time)`);
  const started = Date.now();
  const ranges = Array.from({ length: parts }, (_, k) => ({ first: have + k * per, count: Math.min(per, missing - k * per) })).filter((r) => r.count > 0);
  await Promise.all(
    ranges.map(
      (range, k) =>
        new Promise<void>((done, fail) => {
          const child = fork(join(__dirname, 'issue-certs.js'), [String(range.first), String(range.count), partFile(k)], { stdio: 'inherit' });
          child.once('error', fail);
          child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`certificate worker ${k} exited with status ${code}`))));
        }),
    ),
  );
  for (let k = 0; k < ranges.length; k++) {
    appendFileSync(NODES_FILE, readFileSync(partFile(k)), { mode: 0o600 });
    rmSync(partFile(k));
  }
  progress(`issued ${missing} node certificates in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The cached key pairs of nodes first..first+count-1, in order. */
export function readNodeCertificates(first: number, count: number): KeyPairPem[] {
  const lines = readFileSync(NODES_FILE, 'utf8').split('\n');
  if (lines.length - 1 < first + count) throw new Error(`${NODES_FILE} holds ${lines.length - 1} certificates, ${first + count} needed`);
  return lines.slice(first, first + count).map((line) => JSON.parse(line) as KeyPairPem);
}

/** Issues `count` certificates from `first` into `file`, one JSON key pair a line. Used by issue-certs.ts. */
export async function issueInto(ca: KeyPairPem, first: number, count: number, file: string): Promise<void> {
  const lines: string[] = [];
  for (let i = first; i < first + count; i++) {
    const pair = await issueCertificate(ca, benchNodeRequest(i));
    lines.push(JSON.stringify({ certPem: pair.certPem, keyPem: pair.keyPem }));
  }
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
}

/** The folder holding package.json above this file (dist/bench/tunnel when built, bench/tunnel under ts tools). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

function partFile(k: number): string {
  return join(CACHE_DIR, `nodes-part-${k}.jsonl`);
}
