/** ensureCloudPki and TokenKeeper against the real embedded API server. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, createClient, KubeConfigTransport, loadKubeConfig, RESOURCES, type RestTransport } from '../kube';
import { TestControlPlane, testLogger } from '../kube/testing/control-plane';
import { createCA, issueCertificate } from '../pki';
import { ensureCloudPki, type CloudPkiOptions } from './cloud-pki';
import { JoinError } from './errors';
import { CA_SECRET, CLOUDCORE_SECRET, keyPairSecret, TOKEN_SECRET, type Secret } from './secrets';
import { LockstepGate, LockstepTransport } from './testing/lockstep-transport';
import { createJoinToken, verifyJoinToken } from './token';
import { TokenKeeper } from './token-keeper';

const log = testLogger();
const plane = new TestControlPlane(log);
const dir = mkdtempSync(join(tmpdir(), 'join-pki-'));
let transport: RestTransport;
let client: Client;

beforeAll(async () => {
  const { kubeconfigPath } = await plane.start();
  transport = new KubeConfigTransport(loadKubeConfig({ kubeconfigPath, qps: 1000, burst: 1000 }));
  client = new Client(transport);
});
afterAll(async () => {
  await plane.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Options whose files do not exist, so the Secrets are used. */
function options(overrides: Partial<CloudPkiOptions> = {}): CloudPkiOptions {
  return {
    caFile: join(dir, 'none/rootCA.crt'),
    caKeyFile: join(dir, 'none/rootCA.key'),
    certFile: join(dir, 'none/server.crt'),
    keyFile: join(dir, 'none/server.key'),
    advertiseAddresses: ['192.0.2.10'],
    dnsNames: ['cloudcore.example.com'],
    log,
    ...overrides,
  };
}

const secrets = () => client.resource<Secret>(RESOURCES.secrets);

async function failure(promise: Promise<unknown>): Promise<JoinError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JoinError) return error;
    throw error;
  }
  throw new Error('expected a JoinError');
}

describe('ensureCloudPki', () => {
  it('two cloudcores starting at once make one CA and one server certificate, kept in Secrets in namespace kubeedge', async () => {
    // Both replicas read "absent", then their creates are released together: one wins, the other reads the winner's.
    const gate = new LockstepGate((request) => request.method === 'POST' && request.path.endsWith('/secrets'));
    const replica = () => new Client(new LockstepTransport(transport, [gate]));
    const [a, b] = await Promise.all([ensureCloudPki(replica(), options()), ensureCloudPki(replica(), options())]);

    expect(a.ca.fingerprint).toBe(b.ca.fingerprint);
    expect([a.caSource, b.caSource].sort()).toEqual(['created', 'secret']);
    expect(a.server.certPem).toBe(b.server.certPem);
    expect([a.serverSource, b.serverSource].sort()).toEqual(['created', 'secret']);

    const namespace = await client.resource(RESOURCES.namespaces).get('kubeedge');
    expect(namespace.metadata?.name).toBe('kubeedge');
    // KubeEdge's layout: DER certificate, SEC1 DER key.
    const caSecret = await secrets().get(CA_SECRET.name, { namespace: 'kubeedge' });
    expect(Object.keys(caSecret.data ?? {}).sort()).toEqual(['cadata', 'cakeydata']);
    const caCert = new X509Certificate(Buffer.from(caSecret.data!['cadata']!, 'base64'));
    expect(caCert.raw.equals(new X509Certificate(a.ca.certPem).raw)).toBe(true);
    const caKey = createPrivateKey({ key: Buffer.from(caSecret.data!['cakeydata']!, 'base64'), format: 'der', type: 'sec1' });
    expect(caCert.checkPrivateKey(caKey)).toBe(true);
    expect(caCert.ca).toBe(true);
    expect(caCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const server = new X509Certificate(a.server.certPem);
    expect(server.verify(caCert.publicKey)).toBe(true);
    for (const ip of ['127.0.0.1', '192.0.2.10']) expect(server.checkIP(ip)).toBe(ip);
    for (const name of ['localhost', 'cloudcore.example.com']) expect(server.checkHost(name, { subject: 'never' })).toBe(name);
    const stored = await secrets().get(CLOUDCORE_SECRET.name, { namespace: 'kubeedge' });
    expect(Object.keys(stored.data ?? {}).sort()).toEqual(['cloudcoredata', 'cloudcorekeydata']);
  });

  it('a restarted cloudcore reuses both; a replica with other addresses gets its own certificate from the same CA', async () => {
    const first = await ensureCloudPki(client, options());
    const again = await ensureCloudPki(client, options());
    expect([again.caSource, again.serverSource]).toEqual(['secret', 'secret']);
    expect(again.server.certPem).toBe(first.server.certPem);

    const elsewhere = await ensureCloudPki(client, options({ advertiseAddresses: ['192.0.2.77'] }));
    expect(elsewhere.ca.fingerprint).toBe(first.ca.fingerprint);
    expect(elsewhere.serverSource).toBe('local');
    const cert = new X509Certificate(elsewhere.server.certPem);
    expect(cert.checkIP('192.0.2.77')).toBe('192.0.2.77');
    expect(cert.verify(new X509Certificate(first.ca.certPem).publicKey)).toBe(true);
    // The shared certificate is left for the replicas it names.
    expect((await ensureCloudPki(client, options())).server.certPem).toBe(first.server.certPem);
  });

  it("uses the configured files when both exist (a SEC1 PEM key too), and shares the CA with replicas that lack them", async () => {
    const namespace = 'kubeedge-files';
    const ca = await createCA('operator-ca');
    const server = await issueCertificate(ca, { commonName: 'cloudcore', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 30 });
    const files = join(dir, 'files');
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'rootCA.crt'), ca.certPem);
    writeFileSync(join(files, 'rootCA.key'), createPrivateKey(ca.keyPem).export({ type: 'sec1', format: 'pem' }));
    writeFileSync(join(files, 'server.crt'), server.certPem);
    writeFileSync(join(files, 'server.key'), server.keyPem);
    const fromFiles = await ensureCloudPki(
      client,
      options({
        namespace,
        caFile: join(files, 'rootCA.crt'),
        caKeyFile: join(files, 'rootCA.key'),
        certFile: join(files, 'server.crt'),
        keyFile: join(files, 'server.key'),
      }),
    );
    expect([fromFiles.caSource, fromFiles.serverSource]).toEqual(['files', 'files']);
    expect(fromFiles.ca.fingerprint).toBe(ca.fingerprint);
    expect(fromFiles.server.certPem).toBe(new X509Certificate(server.certPem).toString());
    expect(createJoinToken(fromFiles.ca, new Date(Date.now() + 60_000))).toBeTruthy();

    const withoutFiles = await ensureCloudPki(client, options({ namespace }));
    expect(withoutFiles.caSource).toBe('secret');
    expect(withoutFiles.ca.fingerprint).toBe(ca.fingerprint);
  });

  it('replaces a stored server certificate that another CA signed', async () => {
    const namespace = 'kubeedge-stale';
    const first = await ensureCloudPki(client, options({ namespace }));
    const foreign = await createCA('foreign');
    const stale = await issueCertificate(foreign, { commonName: 'cloudcore', ipAddresses: ['127.0.0.1', '192.0.2.10'], dnsNames: ['localhost', 'cloudcore.example.com'], usage: 'server', validDays: 30 });
    const current = await secrets().get(CLOUDCORE_SECRET.name, { namespace });
    await secrets().update({ ...keyPairSecret(CLOUDCORE_SECRET, stale, namespace), metadata: { ...current.metadata } });

    const replaced = await ensureCloudPki(client, options({ namespace }));
    expect(replaced.serverSource).toBe('created');
    expect(new X509Certificate(replaced.server.certPem).verify(new X509Certificate(first.ca.certPem).publicKey)).toBe(true);
    expect((await ensureCloudPki(client, options({ namespace }))).server.certPem).toBe(replaced.server.certPem);
  });

  it('refuses half-configured or mismatched files, naming the fields and the fix', async () => {
    const ca = await createCA('operator-ca');
    const other = await createCA('other-ca');
    const files = join(dir, 'bad');
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'rootCA.crt'), ca.certPem);
    writeFileSync(join(files, 'other.key'), other.keyPem);
    writeFileSync(join(files, 'rootCA.key'), ca.keyPem);
    const foreignServer = await issueCertificate(other, { commonName: 'cloudcore', usage: 'server', validDays: 1 });
    writeFileSync(join(files, 'server.crt'), foreignServer.certPem);
    writeFileSync(join(files, 'server.key'), foreignServer.keyPem);
    const namespace = 'kubeedge-bad';

    const half = await failure(ensureCloudPki(client, options({ namespace, caFile: join(files, 'rootCA.crt') })));
    expect(half.code).toBe('PKI_INVALID');
    expect(half.message).toBe(
      `tlsCAFile ${join(files, 'rootCA.crt')} exists but tlsCAKeyFile ${join(dir, 'none/rootCA.key')} does not; provide both files, or neither to let cloudcore keep them in Secrets`,
    );
    const wrongKey = await failure(ensureCloudPki(client, options({ namespace, caFile: join(files, 'rootCA.crt'), caKeyFile: join(files, 'other.key') })));
    expect(wrongKey.message).toBe(`tlsCAKeyFile ${join(files, 'other.key')} is not the key of tlsCAFile ${join(files, 'rootCA.crt')}`);
    const foreign = await failure(
      ensureCloudPki(
        client,
        options({ namespace, caFile: join(files, 'rootCA.crt'), caKeyFile: join(files, 'rootCA.key'), certFile: join(files, 'server.crt'), keyFile: join(files, 'server.key') }),
      ),
    );
    expect(foreign.message).toContain(`tlsCertFile ${join(files, 'server.crt')} is not signed by cloudcore's CA`);
  });
});

describe('TokenKeeper', () => {
  const readToken = async (namespace = 'kubeedge') => {
    const secret = await secrets().get(TOKEN_SECRET.name, { namespace });
    return Buffer.from(secret.data![TOKEN_SECRET.tokenKey]!, 'base64').toString();
  };

  it('keeps a token valid for twice the refresh period in tokensecret, and renews it when one period is left', async () => {
    const { ca } = await ensureCloudPki(client, options({ namespace: 'kubeedge-renew' }));
    const keeper = new TokenKeeper({ client, ca, refreshMs: 1500, log, namespace: 'kubeedge-renew' });
    const stop = new AbortController();
    const running = keeper.start(stop.signal);
    try {
      const deadline = Date.now() + 3000;
      while (keeper.current() === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const first = keeper.current()!;
      expect(await readToken('kubeedge-renew')).toBe(first);
      const lifetimeMs = verifyJoinToken(ca, first, Date.now(), 0).expiresAt.getTime() - Date.now();
      expect(lifetimeMs).toBeGreaterThan(1500);
      expect(lifetimeMs).toBeLessThanOrEqual(3000);

      while (keeper.current() === first && Date.now() < deadline + 3000) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(keeper.current()).not.toBe(first);
      expect(await readToken('kubeedge-renew')).toBe(keeper.current());
    } finally {
      stop.abort();
      await running;
    }
  });

  it("adopts a fresh token another replica wrote, and replaces one that is nearly due or from another CA", async () => {
    const { ca } = await ensureCloudPki(client, options());
    const hour = 3_600_000;
    const a = new TokenKeeper({ client, ca, refreshMs: hour, log });
    const b = new TokenKeeper({ client, ca, refreshMs: hour, log });
    const written = await a.refresh();
    expect(written.written).toBe(true);
    const adopted = await b.refresh();
    expect(adopted).toMatchObject({ written: false, token: written.token });
    expect(b.current()).toBe(written.token);

    const later = new TokenKeeper({ client, ca, refreshMs: hour, log, now: () => Date.now() + hour + 60_000 });
    const renewed = await later.refresh();
    expect(renewed.written).toBe(true);
    expect(await readToken()).toBe(renewed.token);

    const foreign = await createCA('foreign');
    const current = await secrets().get(TOKEN_SECRET.name, { namespace: 'kubeedge' });
    const foreignToken = createJoinToken(foreign, new Date(Date.now() + 2 * hour));
    await secrets().update({ ...current, data: { [TOKEN_SECRET.tokenKey]: Buffer.from(foreignToken).toString('base64') } });
    expect((await a.refresh()).written).toBe(true);
    expect(verifyJoinToken(ca, await readToken()).expiresAt.getTime()).toBeGreaterThan(Date.now() + hour);
  });

  it('two replicas renewing at once settle on one token', async () => {
    const { ca } = await ensureCloudPki(client, options());
    const gate = new LockstepGate((request) => request.method === 'PUT' && request.path.endsWith(`/secrets/${TOKEN_SECRET.name}`));
    const hour = 3_600_000;
    const due = () => Date.now() + 10 * hour; // every stored token is due
    const keepers = [0, 1].map(() => new TokenKeeper({ client: new Client(new LockstepTransport(transport, [gate])), ca, refreshMs: hour, log, now: due }));
    const results = await Promise.all(keepers.map((keeper) => keeper.refresh()));
    expect(results.map((r) => r.written).sort()).toEqual([false, true]);
    expect(keepers[0]!.current()).toBe(keepers[1]!.current());
    expect(await readToken()).toBe(keepers[0]!.current());
  });
});

// createClient is the usual way in; keep it exercised with the same kubeconfig.
it('works through createClient as cloudcore builds it', async () => {
  const viaKubeconfig = createClient(loadKubeConfig({ kubeconfigPath: plane.current!.kubeconfigPath, qps: 10, burst: 10 }));
  expect((await ensureCloudPki(viaKubeconfig, options())).caSource).toBe('secret');
});
