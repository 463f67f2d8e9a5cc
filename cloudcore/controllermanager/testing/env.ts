/**
 * Integration-test environment: the real embedded control plane (HTTPS, SQLite, temp dir), the controller manager
 * against its admin kubeconfig, the node-agent stand-in, and the real /usr/bin/kubectl.
 */
import { execFile } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startControlPlane, type ControlPlane } from '../../../pkg/controlplane';
import { createClient, loadKubeConfig, type Client } from '../../../pkg/kube';
import { createLogger, type Logger } from '../../../pkg/log';
import { createControllerManager } from '../manager';
import type { ControllerManagerOptions } from '../options';
import { NodeAgent, type NodeAgentOptions } from './node-agent';

export interface TestEnv {
  plane: ControlPlane;
  client: Client;
  agent: NodeAgent;
  registry: Registry;
  log: Logger;
  kubectl(...args: string[]): Promise<KubectlResult>;
  /** `kubectl apply -f -` with the manifest (YAML or JSON) on stdin. */
  kubectlApply(manifest: string): Promise<KubectlResult>;
  stop(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Quiet unless CM_TEST_LOG=debug (or another level) is set. */
export function testLogger(): Logger {
  const level = process.env['CM_TEST_LOG'];
  if (level) return createLogger({ level, name: 'cm-test', destination: process.stderr });
  return createLogger({ level: 'error', name: 'cm-test', destination: { write: () => undefined } });
}

export async function startEnv(
  options: { manager?: ControllerManagerOptions; agent?: Omit<NodeAgentOptions, 'client' | 'log'> } = {},
): Promise<TestEnv> {
  const log = testLogger();
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-test-'));
  const plane = await startControlPlane({ dataDir, bindAddress: '127.0.0.1', port: 0, log });
  const client = createClient(loadKubeConfig({ kubeconfigPath: plane.kubeconfigPath, qps: 200, burst: 400 }));
  const registry = new Registry();
  const manager = createControllerManager({ kubeconfigPath: plane.kubeconfigPath, log, registry, options: options.manager });
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const agent = new NodeAgent({ client, log, ...(options.agent ?? {}) });
  const running = Promise.all([manager.start(stop.signal), agent.start(stop.signal)]);
  running.catch((err: unknown) => log.error({ err }, 'test environment failed'));

  const run = (args: string[], input?: string): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile('/usr/bin/kubectl', args, { env: { ...process.env, KUBECONFIG: plane.kubeconfigPath }, timeout: 90_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      child.stdin?.end(input ?? '');
    });

  return {
    plane,
    client,
    agent,
    registry,
    log,
    kubectl: (...args) => run(args),
    kubectlApply: (manifest) => run(['apply', '-f', '-'], manifest),
    async stop() {
      stop.abort();
      await running.catch(() => undefined);
      await plane.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns something other than undefined/false; fails with `what` and the last value seen. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A Deployment manifest for `kubectl apply`, for what `kubectl create deployment` has no flag for (strategy, history). */
export function deploymentManifest(name: string, replicas: number, image: string, extra: Record<string, unknown> = {}, namespace = 'default'): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
      ...extra,
    },
  });
}

/**
 * Asserts nothing keeps rewriting the objects once a scenario has settled: their resourceVersions stay put for
 * `quietMs` (a controller that writes on every reconcile would loop on its own watch events).
 */
export async function expectQuiet(read: () => Promise<{ metadata?: { name?: string; resourceVersion?: string } }[]>, quietMs = 1500): Promise<void> {
  const versions = async (): Promise<string> =>
    (await read()).map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort().join(' ');
  const before = await versions();
  await new Promise((resolve) => setTimeout(resolve, quietMs));
  const after = await versions();
  if (after !== before) throw new Error(`objects still changing: ${before} -> ${after}`);
}
