/** The controller manager on its worker thread, against the real embedded control plane. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../../pkg/controlplane';
import { createClient, loadKubeConfig } from '../../../pkg/kube';
import { createLogger, type Logger } from '../../../pkg/log';
import { REFS } from '../context';
import { waitFor } from '../testing/env';
import { createControllerManagerWorker, relog, WorkerCrashError } from './host';

jest.setTimeout(60_000);

/** A logger whose lines the test reads. */
function memoryLogger(level = 'info'): { log: Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const log = createLogger({ level, name: 'host-test', destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('relog', () => {
  it("logs a worker's line through the host logger: its level, message and fields, the host's bindings", () => {
    const { log, lines } = memoryLogger('debug');
    relog(log.child({ component: 'controllermanager' }), JSON.stringify({ level: 'warn', controller: 'scheduler', err: { message: 'boom' }, msg: 'retrying' }));
    relog(log, 'not json');
    expect(lines()[0]).toMatchObject({ level: 'warn', name: 'host-test', component: 'controllermanager', controller: 'scheduler', err: { message: 'boom' }, msg: 'retrying' });
    expect(lines()[1]).toMatchObject({ level: 'warn', line: 'not json', msg: 'unreadable log line from the controller manager worker' });
  });
});

describe('the controller manager worker', () => {
  let dataDir: string;
  let plane: ControlPlane;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cm-worker-'));
    plane = await startControlPlane({ dataDir, bindAddress: '127.0.0.1', port: 0, log: memoryLogger('error').log });
  });
  afterAll(async () => {
    await plane?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the controllers over HTTPS, reports metrics and logs through the host, and stops when asked', async () => {
    const { log, lines } = memoryLogger();
    const worker = createControllerManagerWorker({ kubeconfigPath: plane.kubeconfigPath, log });
    expect(await worker.collect()).toEqual([]);
    const stop = new AbortController();
    const running = worker.start(stop.signal);
    try {
      // The service-account controller gives a new namespace its "default" account.
      const client = createClient(loadKubeConfig({ kubeconfigPath: plane.kubeconfigPath, qps: 50, burst: 100 }));
      await client.resource(REFS.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'from-the-worker' } });
      await waitFor('default service account', async () => {
        const accounts = await client.resource(REFS.serviceAccounts).list({ namespace: 'from-the-worker' });
        return accounts.items.some((a) => a.metadata?.name === 'default');
      });

      const families = await worker.collect();
      expect(families.map((f) => f.name)).toEqual(expect.arrayContaining(['workqueue_adds_total', 'kube_informer_lists_total']));
      expect(lines().map((l) => l['msg'])).toContain('caches synced; starting controllers');
    } finally {
      stop.abort();
      await running;
    }
    expect(lines().map((l) => l['msg'])).toContain('controller manager stopped');
    expect(await worker.collect()).toEqual([]);
  });

  it('rejects with WorkerCrashError when the manager fails on its own: the module runtime restarts it', async () => {
    const { log } = memoryLogger('error');
    const worker = createControllerManagerWorker({ kubeconfigPath: join(dataDir, 'no-such.kubeconfig'), log });
    const failed = worker.start(new AbortController().signal);
    await expect(failed).rejects.toBeInstanceOf(WorkerCrashError);
    await expect(failed).rejects.toThrow(/controller manager failed: .*no-such\.kubeconfig/);
  });
});
