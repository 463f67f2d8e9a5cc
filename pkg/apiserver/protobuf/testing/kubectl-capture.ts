/**
 * Runs a real kubectl against a tiny local HTTP server that answers discovery and records every request body, so a
 * test sees exactly the bytes kubectl sends. Test aid only.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export interface CapturedRequest {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

/** The commands whose bodies the fixtures hold; each creates one object through a typed clientset. */
export const CAPTURE_COMMANDS: readonly { name: string; args: readonly string[]; apiVersion: string; kind: string }[] = [
  { name: 'configmap', args: ['create', 'configmap', 'x', '--from-literal=a=1', '-n', 'default'], apiVersion: 'v1', kind: 'ConfigMap' },
  {
    name: 'secret generic',
    args: ['create', 'secret', 'generic', 's1', '--from-literal=user=admin', '--from-literal=pass=s3cr3t', '-n', 'default'],
    apiVersion: 'v1',
    kind: 'Secret',
  },
  {
    name: 'deployment',
    args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80', '-n', 'default'],
    apiVersion: 'apps/v1',
    kind: 'Deployment',
  },
  {
    // --replicas=0 is a Go *int32 set to 0: the JSON must keep it.
    name: 'deployment with zero replicas and a command',
    args: ['create', 'deployment', 'idle', '--image=busybox', '--replicas=0', '-n', 'default', '--', 'sleep', '3600'],
    apiVersion: 'apps/v1',
    kind: 'Deployment',
  },
  { name: 'namespace', args: ['create', 'namespace', 'team-a'], apiVersion: 'v1', kind: 'Namespace' },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'builder', '-n', 'default'], apiVersion: 'v1', kind: 'ServiceAccount' },
  {
    name: 'service clusterip',
    args: ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:https', '-n', 'default'],
    apiVersion: 'v1',
    kind: 'Service',
  },
];

const resource = (name: string, kind: string, namespaced: boolean) => ({
  name,
  singularName: '',
  namespaced,
  kind,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
});

const DISCOVERY: Readonly<Record<string, unknown>> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
  },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      resource('configmaps', 'ConfigMap', true),
      resource('secrets', 'Secret', true),
      resource('namespaces', 'Namespace', false),
      resource('serviceaccounts', 'ServiceAccount', true),
      resource('services', 'Service', true),
    ],
  },
  '/apis/apps/v1': { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [resource('deployments', 'Deployment', true)] },
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0' },
};

/** A recording server plus a kubeconfig pointing at it. `close()` stops the server and removes the kubeconfig. */
export async function startCaptureServer(): Promise<{ kubeconfig: string; requests: CapturedRequest[]; close: () => Promise<void> }> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      const reply = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && DISCOVERY[path]) return reply(200, DISCOVERY[path]);
      // kubectl only prints the created object's name; any JSON object satisfies it.
      if (req.method === 'POST') return reply(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
      return reply(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-capture-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: capture, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'users: [{name: capture, user: {token: capture}}]',
      'contexts: [{name: capture, context: {cluster: capture, user: capture, namespace: default}}]',
      'current-context: capture',
      '',
    ].join('\n'),
  );
  return {
    kubeconfig,
    requests,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs kubectl with a kubeconfig and a timeout; resolves with stdout, rejects with stderr. */
export function runKubectl(kubectl: string, kubeconfig: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      kubectl,
      [...args],
      { env: { PATH: process.env.PATH ?? '', HOME: dirname(kubeconfig), KUBECONFIG: kubeconfig }, timeout: 30_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}

/**
 * The kubectl binaries to test: $KUBECTL, or kubectl on PATH, plus versioned siblings (kubectl.1.31, kubectl.1.33, as
 * the Google Cloud SDK installs them) from 1.31 on, the first client-go release that sends protobuf bodies.
 */
export function findKubectls(): string[] {
  const explicit = process.env.KUBECTL;
  if (explicit) return existsSync(explicit) ? [explicit] : [];
  const found = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'kubectl')).find((path) => existsSync(path));
  if (!found) return [];
  const real = realpathSync(found);
  const siblings = readdirSync(dirname(real))
    .filter((name) => /^kubectl\.1\.(\d+)$/.test(name) && Number(name.split('.')[2]) >= 31)
    .map((name) => join(dirname(real), name));
  return [found, ...siblings];
}
