/**
 * Joining and refusals, with real processes and real TLS on loopback: one cloudcore (embedded API server), edgecores
 * that join with `keadm gettoken`'s token, and edgecores that must be refused, each with a clear message.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createCA } from '../../pki';
import { tlsVerdict } from '../../../cloudcore/cloudhub/testing/raw-tls';
import { Cluster, storeKey, waitFor } from './cluster';
import { clusterCa, nodeCertificate, writeEdgeCredentials } from './credentials';
import { auditOf, auditProblems, EdgeStore } from './edge-store';
import { SystemTest, type Cloudcore, type Edgecore } from './harness';
import { metricValue } from './metrics';
import type { LogLine } from './process';

jest.setTimeout(120_000);

let sys: SystemTest;
let cloud: Cloudcore;
let cluster: Cluster;
let token: string;
const stores: EdgeStore[] = [];

beforeAll(async () => {
  sys = await SystemTest.create('join');
  cloud = await sys.startCloudcore({ name: 'cloud' });
  cluster = Cluster.of(cloud.kubeconfig);
  token = await cloud.token();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await sys?.dispose();
});

function openStore(edge: Edgecore): EdgeStore {
  const store = new EdgeStore(edge.files.db);
  stores.push(store);
  return store;
}

test('an edge joins with a valid token, gets its pod, configmap and secret, and the newest of 50 configmap updates', async () => {
  const node = 'edge-join';
  // Before the edge connects, so that cloudhub annotates it at once (no edged here to report node status later).
  await cluster.createEdgeNode(node);
  const edge = await sys.startEdgecore({ name: node, node, cloud, token });
  await edge.connected();

  // The join: the CA fetched and checked against the token's hash, then a certificate for this node.
  const ca = await clusterCa(cluster.client);
  const caHash = new X509Certificate(ca.certPem).fingerprint256.replace(/:/g, '').toLowerCase();
  expect(token.split('.')[0]).toBe(caHash);
  const checked = edge.process.find('the CA matches the join token')[0];
  expect(checked?.caHash).toBe(caHash);
  expect(edge.process.find('joined: node certificate written')).toHaveLength(1);
  const cert = new X509Certificate(await readFile(edge.files.cert));
  expect(cert.subject.split('\n')).toEqual(expect.arrayContaining([`CN=system:node:${node}`, 'O=system:nodes']));
  expect(cert.checkIssued(new X509Certificate(ca.certPem)) && cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  expect(await readFile(edge.files.ca, 'utf8')).toBe(new X509Certificate(ca.certPem).toString());

  // The cloud sees it: its connected-node gauge and the Node's `cloudcore` annotation naming this cloudcore.
  await waitFor(async () => (await cloud.metric('cloudhub_connected_nodes')) === 1, 10_000, 'cloudhub_connected_nodes == 1');
  await waitFor(async () => (await cluster.node(node)).metadata?.annotations?.['cloudcore'] === cloud.holderId, 10_000, `Node ${node} annotated cloudcore=${cloud.holderId}`);

  // A pod bound to the node that uses a configmap and a secret: all three reach the store at their resourceVersions.
  await cluster.createConfigMap('join-config');
  await cluster.createSecret('join-secret');
  await cluster.createPod('join-pod', node, { configMaps: ['join-config'], secrets: ['join-secret'] });
  const store = openStore(edge);
  const expected = async () =>
    new Map([
      [storeKey('pod', 'join-pod'), await cluster.resourceVersion('pods', 'join-pod')],
      [storeKey('configmap', 'join-config'), await cluster.resourceVersion('configMaps', 'join-config')],
      [storeKey('secret', 'join-secret'), await cluster.resourceVersion('secrets', 'join-secret')],
    ]);
  const sameVersions = async () => {
    const stored = await store.versions();
    return [...(await expected())].every(([key, version]) => stored.get(key) === version);
  };
  await waitFor(sameVersions, 15_000, 'pod, configmap and secret in the edge store at their resourceVersions', async () => JSON.stringify([...(await store.versions())]));
  const storedPod = JSON.parse((await store.get(storeKey('pod', 'join-pod')))!.value) as { spec: { nodeName: string } };
  expect(storedPod.spec.nodeName).toBe(node);

  // 50 sequential updates of the configmap.
  const configKey = storeKey('configmap', 'join-config');
  const writesBefore = auditOf(await store.audit(), configKey).length;
  let newest = '';
  for (let seq = 1; seq <= 50; seq++) newest = await cluster.updateConfigMap('join-config', seq);
  await waitFor(async () => (await store.get(configKey))?.resource_version === newest, 20_000, `configmap at its newest resourceVersion ${newest}`);
  expect(JSON.parse((await store.get(configKey))!.value).data.seq).toBe('50');

  // Exactly once as seen by the store (edge-store.ts): each version written at most once, in increasing order, the
  // newest last; versions the cloud coalesced away never reached the store.
  const audit = await store.audit();
  expect(auditProblems(audit)).toEqual([]);
  const configWrites = auditOf(audit, configKey).slice(writesBefore);
  expect(configWrites.length).toBeGreaterThanOrEqual(1);
  expect(configWrites.length).toBeLessThanOrEqual(50);
  expect(configWrites.at(-1)!.resource_version).toBe(newest);
  // metamanager's counters agree with the store, over the process's whole life: every write counted as applied, and
  // every ack the edge sent followed a store decision (applied, or dropped as a duplicate or stale version).
  await waitFor(
    async () => {
      const m = await edge.metrics();
      const applied = metricValue(m, 'metamanager_changes_applied_total');
      const dropped = metricValue(m, 'metamanager_changes_dropped_total');
      const acked = metricValue(m, 'edgehub_acks_sent_total', { result: 'ok' });
      return applied === audit.length && acked === applied + dropped;
    },
    10_000,
    'metamanager counters equal to the store writes and edgehub acks',
    async () => JSON.stringify({ writes: audit.length, edge: (await edge.metrics()).filter((s) => /^(metamanager_changes|edgehub_acks)/.test(s.name)) }),
  );
  // The cloud's record of what the node holds (ObjectSync) ends at the same version.
  await waitFor(async () => (await cluster.objectSyncs(node)).get('ConfigMap/join-config')?.delivered === newest, 10_000, 'ObjectSync of the configmap at the newest version');
  expect(await edge.metric('edgehub_reconnects_total')).toBe(0);
});


/**
 * Refusals. Each edgecore below must never connect; its log must say clearly why, and it must keep running and keep
 * retrying with a growing back-off (edgehub logs each delay at debug level). They start together, to save time.
 */
describe('refusals', () => {
  interface Case {
    edge: Edgecore;
    /** What the refusal must say, in edgehub's disconnected line. */
    reason: RegExp;
  }
  const cases = new Map<string, Case>();
  let ca: Awaited<ReturnType<typeof clusterCa>>;

  /** A token with the right CA hash whose JWT signature was changed: only cloudcore can tell it is bad. */
  function tamperedSignature(good: string): string {
    const [hash, header, payload, signature] = good.split('.') as [string, string, string, string];
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    return [hash, header, payload, flipped].join('.');
  }

  /** The token with its first part (the CA hash) edited. */
  function wrongCaHash(good: string): string {
    const hash = good.slice(0, 64);
    const edited = (hash[0] === '0' ? '1' : '0') + hash.slice(1);
    return edited + good.slice(64);
  }

  beforeAll(async () => {
    ca = await clusterCa(cluster.client);
    const foreign = await createCA('someone else');
    const start = (name: string, reason: RegExp, options: { token?: string; credentials?: () => Promise<{ caPem: string; pair: { certPem: string; keyPem: string } }>; node?: string } = {}) =>
      sys
        .startEdgecore({
          name,
          node: options.node ?? name,
          cloud,
          logLevel: 'debug',
          ...(options.token !== undefined ? { token: options.token } : {}),
          ...(options.credentials
            ? {
                beforeStart: async (files) => {
                  const { caPem, pair } = await options.credentials!();
                  await writeEdgeCredentials(files, caPem, pair);
                },
              }
            : {}),
        })
        .then((edge) => void cases.set(name, { edge, reason }));
    await Promise.all([
      start('refuse-token', /cloudcore refused to sign a certificate for node refuse-token \(HTTP 401 TOKEN_BAD_SIGNATURE\)/, { token: tamperedSignature(token) }),
      start('refuse-cahash', /CA hash does not match the token/, { token: wrongCaHash(token) }),
      start('refuse-expired', /node\.crt expired at .*rejoin with a fresh token/, {
        credentials: async () => ({ caPem: ca.certPem, pair: await nodeCertificate(ca, 'refuse-expired', { expiredForMs: 30_000 }) }),
      }),
      // Node B holding node A's (valid) certificate.
      start('refuse-forged', /is for "CN=system:node:edge-join, O=system:nodes", not this node \(CN=system:node:refuse-forged\)/, {
        credentials: async () => ({ caPem: ca.certPem, pair: await nodeCertificate(ca, 'edge-join') }),
      }),
      // This node's name, signed by a CA the cluster does not know.
      start('refuse-foreign', /node\.crt was not signed by the CA in .*rootCA\.crt .*cloudcore will refuse it/, {
        credentials: async () => ({ caPem: ca.certPem, pair: await nodeCertificate(foreign, 'refuse-foreign') }),
      }),
      // The cluster's CA and this node's name, but not in group system:nodes: cloudhub itself refuses the stream.
      start('refuse-group', /UNAUTHENTICATED: client certificate for node refuse-group has O="", not system:nodes/, {
        credentials: async () => ({ caPem: ca.certPem, pair: await nodeCertificate(ca, 'refuse-group', { organizations: [] }) }),
      }),
    ]);
  });

  const refusals = (edge: Edgecore): LogLine[] => edge.transitions().filter((l) => l.from === 'connecting' && l.to === 'disconnected');
  const delays = (edge: Edgecore): number[] => edge.process.find('will reconnect after back-off').map((l) => Number(l.retryInMs));

  /** Three refused attempts with the expected reason, growing delays, never connected, still running. */
  async function expectRefusedWithBackoff(name: string): Promise<LogLine> {
    const { edge, reason } = cases.get(name)!;
    await edge.process.until(() => refusals(edge).length >= 3 && delays(edge).length >= 3, 20_000, 'three refused attempts');
    const [first] = refusals(edge);
    const messages = refusals(edge).map((l) => String(l.msg));
    if (!messages.every((m) => reason.test(m))) throw new Error(`${name}: refusals do not all match ${reason}:\n${messages.join('\n')}`);
    const [d1, d2, d3] = delays(edge) as [number, number, number];
    // 500 ms doubling, jittered down by at most 20%: 400-500, 800-1000, 1600-2000.
    expect(d1).toBeLessThanOrEqual(1000);
    expect(d2).toBeGreaterThan(d1);
    expect(d3).toBeGreaterThan(d2);
    expect(edge.transitions().some((l) => l.to === 'connected')).toBe(false);
    expect(edge.process.alive).toBe(true);
    expect(await edge.metric('edgehub_connection_state', { state: 'connected' })).toBe(0);
    expect(await edge.metric('edgehub_reconnects_total')).toBeGreaterThanOrEqual(2);
    return first!;
  }

  test('a token with a bad signature: the bootstrap server refuses to sign, no certificate is written', async () => {
    const line = await expectRefusedWithBackoff('refuse-token');
    expect(line.code).toBe('CERTIFICATES');
    expect(await cloud.metric('cloudhub_certificate_requests_total', { outcome: 'refused', reason: 'token_bad_signature' })).toBeGreaterThanOrEqual(3);
    const { edge } = cases.get('refuse-token')!;
    await expect(readFile(edge.files.cert)).rejects.toThrow(/ENOENT/);
  });

  test('a token whose CA hash is wrong: the edge does not trust the CA it was served, asks nothing of it', async () => {
    const line = await expectRefusedWithBackoff('refuse-cahash');
    expect(line.code).toBe('CERTIFICATES');
    const { edge } = cases.get('refuse-cahash')!;
    expect(edge.process.find('the CA matches the join token')).toEqual([]);
    await expect(readFile(edge.files.ca)).rejects.toThrow(/ENOENT/);
  });

  test('an expired certificate: the edge refuses to use it, and the tunnel refuses it too', async () => {
    const line = await expectRefusedWithBackoff('refuse-expired');
    expect(line.code).toBe('CERTIFICATES');
    // The cloud's side, from here: a TLS handshake with that certificate is refused by the tunnel listener.
    const { edge } = cases.get('refuse-expired')!;
    const pair = { certPem: await readFile(edge.files.cert, 'utf8'), keyPem: await readFile(edge.files.key, 'utf8') };
    expect(await tlsVerdict({ host: '127.0.0.1', port: cloud.ports.tunnel }, ca.certPem, pair)).toBe('refused');
    // The certificate rotator's attempt to renew it over mutual TLS is refused by the bootstrap server.
    await waitFor(
      async () => (await cloud.metric('cloudhub_certificate_requests_total', { outcome: 'refused', reason: 'client_cert_invalid' })) >= 1,
      10_000,
      'the bootstrap server refusing to renew the expired certificate',
    );
  });

  test("a forged node: node B with node A's certificate is refused at the edge, and A is not disturbed", async () => {
    const line = await expectRefusedWithBackoff('refuse-forged');
    expect(line.code).toBe('CERTIFICATES');
    // Nothing reached cloudhub in A's name but the real edge-join (when the first test ran): one session, never replaced.
    const connects = cloud.process.find('edge node connected').filter((l) => l.node === 'edge-join');
    expect(connects.length).toBeLessThanOrEqual(1);
    expect(connects.filter((l) => l.replaced === true)).toEqual([]);
  });

  test('a certificate from a foreign CA: the edge says so before dialling and retries; the tunnel refuses the handshake too', async () => {
    const line = await expectRefusedWithBackoff('refuse-foreign');
    expect(line.code).toBe('CERTIFICATES');
    const { edge } = cases.get('refuse-foreign')!;
    const pair = { certPem: await readFile(edge.files.cert, 'utf8'), keyPem: await readFile(edge.files.key, 'utf8') };
    expect(await tlsVerdict({ host: '127.0.0.1', port: cloud.ports.tunnel }, ca.certPem, pair)).toBe('refused');
    expect(cloud.process.find('edge node connected').filter((l) => l.node === 'refuse-foreign')).toEqual([]);
  });

  test('a certificate outside group system:nodes: cloudhub refuses the stream with UNAUTHENTICATED', async () => {
    const line = await expectRefusedWithBackoff('refuse-group');
    expect(line.code).toBe('STREAM_CLOSED');
    expect(await cloud.metric('cloudhub_refused_connections_total', { reason: 'unauthenticated' })).toBeGreaterThanOrEqual(3);
    expect(cloud.process.find(/^tunnel refused: client certificate for node refuse-group has O=""/).length).toBeGreaterThanOrEqual(3);
  });

  test('none of the refused nodes ever had a session', async () => {
    const refused = [...cases.keys()];
    expect(cloud.process.find('edge node connected').filter((l) => refused.includes(String(l.node)))).toEqual([]);
  });
});
