/** The TLS files: joining while they are missing, and clear errors when they are missing, wrong or for another node. */
import { rm, writeFile } from 'node:fs/promises';
import { issueCertificate } from '../../pkg/pki';
import { EdgeHubError } from './errors';
import { FakeCloud, waitUntil } from './testing/fake-cloud';
import { startEdge, type EdgeHarness } from './testing/edge-harness';
import { createTlsFixture, type TlsFixture } from './testing/tls-fixture';

let tls: TlsFixture;
let cloud: FakeCloud;
let edge: EdgeHarness | undefined;

beforeEach(async () => {
  tls = await createTlsFixture('edge-1');
  cloud = await FakeCloud.start(tls);
});

afterEach(async () => {
  await edge?.stop();
  edge = undefined;
  cloud.stop();
  await tls.cleanup();
});

const removeNodeFiles = (): Promise<void[]> =>
  Promise.all([rm(tls.files.tlsCertFile), rm(tls.files.tlsPrivateKeyFile)]);

describe('edgehub certificates', () => {
  it('calls ensureCertificates while the files are missing, then connects with what it wrote', async () => {
    await removeNodeFiles();
    const calls: AbortSignal[] = [];
    edge = await startEdge({
      tls,
      servers: [cloud.address],
      ensureCertificates: async (signal) => {
        calls.push(signal);
        await tls.writeNodeCertificate('edge-1');
      },
    });
    await edge.waitForState('connected');
    expect(calls).toHaveLength(1);
    expect((await cloud.session(0)).peerCommonName).toBe('system:node:edge-1');
  });

  it('without ensureCertificates, names edgeHub.token and the missing files, fails /healthz, and keeps retrying', async () => {
    await removeNodeFiles();
    edge = await startEdge({ tls, servers: [cloud.address] });
    await waitUntil(() => edge!.logs.some((l) => l['code'] === 'CERTIFICATES'), 3000, 'the certificate error');
    const line = edge.logs.find((l) => l['code'] === 'CERTIFICATES')!;
    expect(line.level).toBe('error');
    expect(line.msg).toContain('modules.edgeHub.token');
    expect(line.msg).toContain(tls.files.tlsCertFile);
    expect(line.msg).toContain(tls.files.tlsPrivateKeyFile);
    expect(() => edge!.hub.healthCheck!.check()).toThrow(EdgeHubError);

    // The files appear (an operator copied them): the next attempt uses them and /healthz recovers.
    await tls.writeNodeCertificate('edge-1');
    await edge.waitForState('connected', 4000);
    expect(() => edge!.hub.healthCheck!.check()).not.toThrow();
  });

  it('refuses a certificate issued for another node, naming both', async () => {
    await tls.writeNodeCertificate('edge-2');
    edge = await startEdge({ tls, servers: [cloud.address], node: 'edge-1' });
    await waitUntil(() => edge!.logs.some((l) => l['code'] === 'CERTIFICATES'), 3000, 'the certificate error');
    const line = edge.logs.find((l) => l['code'] === 'CERTIFICATES')!;
    expect(line.msg).toContain('system:node:edge-2');
    expect(line.msg).toContain('CN=system:node:edge-1');
    expect(cloud.sessions).toHaveLength(0);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const other = await issueCertificate(tls.ca, { commonName: 'system:node:edge-1', usage: 'client', validDays: 1 });
    await writeFile(tls.files.tlsPrivateKeyFile, other.keyPem);
    edge = await startEdge({ tls, servers: [cloud.address] });
    await waitUntil(() => edge!.logs.some((l) => l['code'] === 'CERTIFICATES'), 3000, 'the certificate error');
    expect(edge.logs.find((l) => l['code'] === 'CERTIFICATES')!.msg).toContain('is not the key of');
  });

  it('reports a failing join with its reason', async () => {
    await removeNodeFiles();
    edge = await startEdge({
      tls,
      servers: [cloud.address],
      ensureCertificates: async () => {
        throw new Error('join token expired; run keadm gettoken again');
      },
    });
    await waitUntil(() => edge!.logs.some((l) => l['code'] === 'CERTIFICATES'), 3000, 'the join error');
    expect(edge.logs.find((l) => l['code'] === 'CERTIFICATES')!.msg).toMatch(
      /cannot get this node's certificate .*join token expired/,
    );
  });
});
