/**
 * A lossy link: one edge reaches cloudcore through a LinkProxy (pkg/testing/link-proxy.ts) that stalls it for longer
 * than both keepalive timeouts, black-holes it, and resets its connections, while configmap updates run for it and for
 * a second edge on a healthy link. At the end the first edge has the newest version of every object with nothing
 * applied twice, and the second was served the whole time without a break.
 *
 * Timeouts (harness TIMING): cloudHub.keepaliveInterval 3s (the cloud ends a silent session), edgeHub.heartbeat 1s
 * (the edge gives up on a cloud silent for 2s); HTTP/2 pings below those. A stall or drop of 5s outlasts all of them.
 */
import { LinkProxy, type LinkMode } from '../link-proxy';
import { Cluster, sleep, UpdateStream, waitFor, waitForStore } from './cluster';
import { auditProblems, EdgeStore } from './edge-store';
import { SystemTest, type Cloudcore, type Edgecore } from './harness';

jest.setTimeout(150_000);

let sys: SystemTest;
let proxy: LinkProxy | undefined;
const stores: EdgeStore[] = [];

beforeAll(async () => {
  sys = await SystemTest.create('lossy-link');
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all(stores.map((store) => store.close()));
  await sys?.dispose();
});

async function joinedEdge(cloud: Cloudcore, cluster: Cluster, token: string, node: string, configMaps: string[], servers?: string[]): Promise<{ edge: Edgecore; store: EdgeStore }> {
  await cluster.createEdgeNode(node);
  for (const name of configMaps) await cluster.createConfigMap(name);
  await cluster.createPod(`${node}-pod`, node, { configMaps, secrets: [] });
  const edge = await sys.startEdgecore({ name: node, node, cloud, token, ...(servers ? { servers } : {}) });
  await edge.connected();
  const store = new EdgeStore(edge.files.db);
  stores.push(store);
  await waitForStore(store, cluster, { configMaps }, 20_000);
  return { edge, store };
}

test('through stalls, drops and resets the edge ends with every newest version, applied once; a second edge is served throughout', async () => {
  const cloud = await sys.startCloudcore({ name: 'cloud' });
  const cluster = Cluster.of(cloud.kubeconfig);
  const token = await cloud.token();
  proxy = await LinkProxy.start('127.0.0.1', cloud.ports.tunnel);
  const lossyConfigs = ['lossy-config-0', 'lossy-config-1', 'lossy-config-2', 'lossy-config-3'];
  const steadyConfigs = ['steady-config-0', 'steady-config-1', 'steady-config-2', 'steady-config-3'];
  // Updated only once, in a burst just before the link breaks, so that what is resent is the very same version.
  const burstConfigs = Array.from({ length: 10 }, (_, i) => `burst-config-${i}`);
  // Only the tunnel goes through the proxy; the join (bootstrap HTTPS) does not.
  const lossy = await joinedEdge(cloud, cluster, token, 'edge-lossy', [...lossyConfigs, ...burstConfigs], [proxy.address]);
  const steady = await joinedEdge(cloud, cluster, token, 'edge-steady', steadyConfigs);

  const stream = new UpdateStream(cluster, [...lossyConfigs, ...steadyConfigs], { pauseMs: 20 });
  const steadyProgress: { phase: string; applied: number }[] = [];
  const windows: { phase: string; startMs: number; endMs: number }[] = [];
  /**
   * Runs the link in `mode` for `ms`, checking that the steady edge applies updates meanwhile. With `midBurst`, the
   * link breaks while the lossy edge applies a burst of updates: its acks for what it applied are lost with the link,
   * so the cloud sends those versions again and the edge must recognise them as duplicates.
   */
  async function phase(name: string, mode: LinkMode | 'reset', ms: number, midBurst = false): Promise<void> {
    const before = await steady.edge.metric('metamanager_changes_applied_total');
    if (midBurst) {
      const applied = await lossy.edge.metric('metamanager_changes_applied_total');
      await Promise.all(burstConfigs.map((config, i) => cluster.updateConfigMap(config, 1_000_000 + i)));
      await waitFor(async () => (await lossy.edge.metric('metamanager_changes_applied_total')) > applied, 10_000, 'the lossy edge applying the burst');
    }
    const startMs = Date.now();
    if (mode === 'reset') {
      for (let elapsed = 0; elapsed < ms; elapsed += 1000) {
        proxy!.reset();
        await sleep(1000);
      }
    } else {
      proxy!.setMode(mode);
      await sleep(ms);
      proxy!.setMode('pass');
    }
    windows.push({ phase: name, startMs, endMs: Date.now() });
    steadyProgress.push({ phase: name, applied: (await steady.edge.metric('metamanager_changes_applied_total')) - before });
  }
  /** Waits for the lossy edge to be connected again after the log line `from`. */
  const reconnected = (from: number) => lossy.edge.connected(40_000, from);

  await sleep(1000);
  let from = lossy.edge.process.lines.length;
  await phase('stall', 'stall', 5000);
  await reconnected(from);
  from = lossy.edge.process.lines.length;
  await phase('drop', 'drop', 5000, true);
  await reconnected(from);
  from = lossy.edge.process.lines.length;
  await phase('reset', 'reset', 3000);
  await reconnected(from);
  await sleep(1000);
  await stream.stop();

  const context = () => `stream: ${stream.updates} updates; proxy: ${proxy!.connections} connections`;
  await waitForStore(lossy.store, cluster, { configMaps: [...lossyConfigs, ...burstConfigs] }, 45_000, context);
  await waitForStore(steady.store, cluster, { configMaps: steadyConfigs }, 10_000, context);

  // The link really broke in every phase: the lossy edge lost its session while the phase lasted. A stalled or black-
  // holed link closes nothing, so there the loss was found by a keepalive (HTTP/2 ping, the edge's watchdog or the
  // cloud's keepaliveInterval, whichever fired first); the resets are seen as such.
  const losses = lossy.edge.transitions().filter((l) => l.from === 'connected' && l.to === 'disconnected');
  for (const { phase: name, startMs, endMs } of windows) {
    const during = losses.filter((l) => Date.parse(l.time) >= startMs && Date.parse(l.time) <= endMs).map((l) => String(l.reason));
    expect({ phase: name, lost: during.length > 0 }).toEqual({ phase: name, lost: true });
    if (name !== 'reset') expect(during.filter((reason) => /ECONNRESET/.test(reason))).toEqual([]);
  }
  expect(cloud.process.find('edge node disconnected').filter((l) => l.node === 'edge-lossy').length).toBeGreaterThanOrEqual(3);
  expect(proxy.connections).toBeGreaterThan(3);

  // Exactly once as seen by each store (edge-store.ts), and the counters agree with the audit.
  for (const { edge, store } of [lossy, steady]) {
    const audit = await store.audit();
    expect(auditProblems(audit)).toEqual([]);
    expect(await edge.metric('metamanager_changes_applied_total')).toBe(audit.length);
  }

  // Versions whose acks were lost with the link came again and were recognised, not written a second time.
  expect(await lossy.edge.metric('metamanager_changes_dropped_total', { reason: 'duplicate' })).toBeGreaterThanOrEqual(1);
  // The steady edge: one session from start to end, and updates applied during every bad phase of the other link.
  expect(steady.edge.transitions().filter((l) => l.to === 'disconnected' || l.to === 'connecting').map((l) => l.msg)).toEqual([
    'cloud connection disconnected -> connecting: dialling ' + cloud.tunnelAddress,
  ]);
  expect(await steady.edge.metric('edgehub_reconnects_total')).toBe(0);
  expect(cloud.process.find('edge node disconnected').filter((l) => l.node === 'edge-steady')).toEqual([]);
  for (const { phase: name, applied } of steadyProgress) expect({ phase: name, applied: applied > 0 }).toEqual({ phase: name, applied: true });
});
