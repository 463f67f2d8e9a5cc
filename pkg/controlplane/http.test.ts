/**
 * The embedded API server at the HTTP level: bad input gets the Kubernetes Status a real server answers, nothing is
 * half-written, credentials are required, and data, CRDs and watches survive a restart.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '.';

const log = pino({ level: 'silent' });

interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

interface Identity {
  ca: string;
  cert?: string;
  key?: string;
  host: string;
  port: number;
}

function identityOf(kubeconfigPath: string, withCertificate = true): Identity {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const b64 = (s: string): string => Buffer.from(s, 'base64').toString();
  const url = new URL(kc.clusters[0]!.cluster.server);
  return {
    host: url.hostname,
    port: Number(url.port),
    ca: b64(kc.clusters[0]!.cluster['certificate-authority-data']),
    ...(withCertificate
      ? { cert: b64(kc.users[0]!.user['client-certificate-data']), key: b64(kc.users[0]!.user['client-key-data']) }
      : {}),
  };
}

function call(
  id: Identity,
  method: string,
  path: string,
  body?: string | Buffer,
  contentType = 'application/json',
  extraHeaders: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...extraHeaders, ...(body === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) }) };
    const req = https.request(
      { ...id, method, path, agent: false, headers },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // not JSON (health endpoints)
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const configMap = (name: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' }, ...extra });

describe('embedded API server over HTTPS', () => {
  let dir: string;
  let cp: ControlPlane;
  let admin: Identity;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cp-http-'));
    cp = await startControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, log });
    admin = identityOf(cp.kubeconfigPath);
  });
  afterAll(async () => {
    await cp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses anonymous requests but answers health probes', async () => {
    const anonymous = identityOf(cp.kubeconfigPath, false);
    const refused = await call(anonymous, 'GET', '/api/v1/namespaces');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await call(anonymous, 'GET', '/readyz')).text).toBe('ok');
  });

  it('authenticates bearer tokens from the token file', async () => {
    const tokenDir = mkdtempSync(join(tmpdir(), 'cp-http-tokens-'));
    const tokenFile = join(tokenDir, 'tokens.csv');
    writeFileSync(tokenFile, 's3cret,robot,42,"system:masters"\n');
    const withTokens = await startControlPlane({ dataDir: tokenDir, bindAddress: '127.0.0.1', port: 0, log, tokenAuthFile: tokenFile });
    try {
      const anonymous = identityOf(withTokens.kubeconfigPath, false);
      const ok = await call(anonymous, 'GET', '/api/v1/namespaces/default', undefined, undefined, { Authorization: 'Bearer s3cret' });
      expect(ok.status).toBe(200);
      const wrong = await call(anonymous, 'GET', '/api/v1/namespaces/default', undefined, undefined, { Authorization: 'Bearer guess' });
      expect(wrong.status).toBe(401);
    } finally {
      await withTokens.close();
      rmSync(tokenDir, { recursive: true, force: true });
    }
  });

  it('answers malformed bodies, kind mismatches and invalid names with the right Status', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    const garbage = await call(admin, 'POST', path, '{"apiVersion": "v1", "kind": ');
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatchObject({ reason: 'BadRequest' });
    const yamlBroken = await call(admin, 'POST', path, 'kind: ConfigMap\n  metadata: [', 'application/yaml');
    expect(yamlBroken.status).toBe(400);
    const array = await call(admin, 'POST', path, '[1,2]');
    expect(array.status).toBe(400);
    const wrongKind = await call(admin, 'POST', path, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }));
    expect(wrongKind.status).toBe(400);
    expect(String(wrongKind.body.message)).toContain('does not match the expected kind (ConfigMap)');
    const wrongVersion = await call(admin, 'POST', path, JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
    expect(String(wrongVersion.body.message)).toContain('the API version in the data (apps/v1) does not match the expected API version (v1)');
    const badName = await call(admin, 'POST', path, configMap('Not_Valid'));
    expect(badName.status).toBe(422);
    expect(badName.body).toMatchObject({
      reason: 'Invalid',
      details: { name: 'Not_Valid', kind: 'ConfigMap', causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }] },
    });
    // Nothing was written by any of them.
    const list = await call(admin, 'GET', path);
    expect((list.body.items as unknown[]).length).toBe(0);
  });

  it('refuses bodies over 3 MiB with 413', async () => {
    const huge = configMap('huge', { data: { blob: 'x'.repeat(3 * 1024 * 1024 + 1) } });
    const reply = await call(admin, 'POST', '/api/v1/namespaces/default/configmaps', huge);
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ reason: 'RequestEntityTooLarge' });
  });

  it('answers unknown resources with 404 and stale resourceVersions with 409', async () => {
    expect((await call(admin, 'GET', '/api/v1/namespaces/default/gizmos')).status).toBe(404);
    expect((await call(admin, 'GET', '/apis/nowhere.example.com/v1/things')).status).toBe(404);
    const created = await call(admin, 'POST', '/api/v1/namespaces/default/configmaps', configMap('versioned'));
    expect(created.status).toBe(201);
    const stale = JSON.parse(created.text) as { metadata: { resourceVersion: string } };
    const first = await call(admin, 'PUT', '/api/v1/namespaces/default/configmaps/versioned', JSON.stringify({ ...stale, data: { a: '2' } }));
    expect(first.status).toBe(200);
    const second = await call(admin, 'PUT', '/api/v1/namespaces/default/configmaps/versioned', JSON.stringify({ ...stale, data: { a: '3' } }));
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ reason: 'Conflict' });
    expect(String(second.body.message)).toContain('the object has been modified');
    const missing = await call(admin, 'GET', '/api/v1/namespaces/default/configmaps/none');
    expect(missing.body).toMatchObject({ reason: 'NotFound', message: 'configmaps "none" not found' });
    const duplicate = await call(admin, 'POST', '/api/v1/namespaces/default/configmaps', configMap('versioned'));
    expect(duplicate.body).toMatchObject({ code: 409, reason: 'AlreadyExists' });
  });

  it('writes a lone watch event at once and gathers a burst into one write per coalescing interval', async () => {
    const coalesceDir = mkdtempSync(join(tmpdir(), 'cp-http-coalesce-'));
    const plane = await startControlPlane({ dataDir: coalesceDir, bindAddress: '127.0.0.1', port: 0, log, watchCoalesceMs: 400 });
    const id = identityOf(plane.kubeconfigPath);
    const arrivals: { at: number; names: string[] }[] = [];
    const request = https.request({ ...id, method: 'GET', path: '/api/v1/namespaces/default/configmaps?watch=1', agent: false });
    try {
      await new Promise<void>((resolve, reject) => {
        request.on('response', (res) => {
          res.on('data', (chunk: Buffer) => {
            const names = chunk.toString().trim().split('\n').map((line) => (JSON.parse(line) as { object: { metadata: { name: string } } }).object.metadata.name);
            arrivals.push({ at: Date.now(), names });
          });
          resolve();
        });
        request.on('error', reject);
        request.end();
      });
      const created = Date.now();
      expect((await call(id, 'POST', '/api/v1/namespaces/default/configmaps', configMap('first'))).status).toBe(201);
      for (const name of ['second', 'third']) expect((await call(id, 'POST', '/api/v1/namespaces/default/configmaps', configMap(name))).status).toBe(201);
      const deadline = Date.now() + 5000;
      while (arrivals.flatMap((a) => a.names).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(arrivals.map((a) => a.names)).toEqual([['first'], ['second', 'third']]);
      expect(arrivals[0]!.at - created).toBeLessThan(300);
      expect(arrivals[1]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(350);
    } finally {
      request.destroy();
      await plane.close();
      rmSync(coalesceDir, { recursive: true, force: true });
    }
  });

  it('answers a watch from a resourceVersion newer than the store with an ERROR event', async () => {
    const reply = await call(admin, 'GET', '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=99999999');
    expect(JSON.parse(reply.text.trim())).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 504 } });
  });

  it('answers a watch from compacted history with an ERROR event carrying 410 Expired', async () => {
    const smallDir = mkdtempSync(join(tmpdir(), 'cp-http-small-'));
    const small = await startControlPlane({
      dataDir: smallDir,
      bindAddress: '127.0.0.1',
      port: 0,
      log,
      eventRetention: { maxEvents: 1, memoryEvents: 1, compactIntervalMs: 0 },
    });
    try {
      const id = identityOf(small.kubeconfigPath);
      for (let i = 0; i < 5; i++) await call(id, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`c${i}`));
      await small.store.compact();
      const reply = await call(id, 'GET', '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2&timeoutSeconds=2');
      expect(JSON.parse(reply.text.trim())).toMatchObject({
        type: 'ERROR',
        object: { kind: 'Status', code: 410, reason: 'Expired', message: expect.stringContaining('too old resource version: 2') },
      });
    } finally {
      await small.close();
      rmSync(smallDir, { recursive: true, force: true });
    }
  });

  it('keeps objects, resourceVersions and CRDs across a restart, and a watch resumes from before it', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    expect((await call(admin, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd))).status).toBe(201);
    const widget = await call(admin, 'POST', '/apis/example.com/v1/namespaces/default/widgets', JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, size: 3 }));
    expect(widget.status).toBe(201);
    const before = (widget.body.metadata as { resourceVersion: string }).resourceVersion;

    await cp.close();
    cp = await startControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, log });
    admin = identityOf(cp.kubeconfigPath);

    const again = await call(admin, 'GET', '/apis/example.com/v1/namespaces/default/widgets/w1');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ size: 3, metadata: { resourceVersion: before } });
    const update = await call(admin, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w1', '{"size":4}', 'application/merge-patch+json');
    expect(update.status).toBe(200);
    const replay = await call(admin, 'GET', `/apis/example.com/v1/namespaces/default/widgets?watch=1&resourceVersion=${before}&timeoutSeconds=1`);
    const events = replay.text.trim().split('\n').map((line) => JSON.parse(line) as { type: string; object: { size: number } });
    expect(events).toEqual([expect.objectContaining({ type: 'MODIFIED', object: expect.objectContaining({ size: 4 }) })]);
  });
});
