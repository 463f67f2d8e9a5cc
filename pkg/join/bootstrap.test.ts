/** The bootstrap server and the edge's join over real HTTPS on 127.0.0.1. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createCA, createKeyAndCsr, issueCertificate, subjectOf } from '../pki';
import { JoinError } from './errors';
import { joinCluster, type JoinClusterOptions } from './join-cluster';
import { DAY_MS, log, nodeFiles, rawRequest, startTestCloud, type TestCloud } from './testing/bootstrap';
import { createJoinToken } from './token';

let cloud: TestCloud;
let files: ReturnType<typeof nodeFiles>;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(() => cloud.close());
beforeEach(() => {
  files = nodeFiles();
});
afterEach(() => files.dispose());

const HOUR = 3_600_000;
const token = (expiresInMs = HOUR) => createJoinToken(cloud.ca, new Date(Date.now() + expiresInMs));
const jwtOf = (full: string) => full.slice(65);

function join(overrides: Partial<JoinClusterOptions> = {}) {
  return joinCluster({ httpServer: cloud.bootstrap.url, token: token(), nodeName: 'edge-1', log, timeoutMs: 5000, ...files, ...overrides });
}

async function joinFailure(overrides: Partial<JoinClusterOptions>): Promise<JoinError> {
  try {
    await join(overrides);
  } catch (error) {
    if (error instanceof JoinError) return error;
    throw error;
  }
  throw new Error('expected the join to fail');
}

async function csr(node: string, organizations = ['system:nodes']) {
  return createKeyAndCsr({ commonName: `system:node:${node}`, organizations });
}

/** POST /edge.crt as an edge would, with a token or a client certificate. */
async function askForCertificate(options: { node?: string; csrPem?: string | Buffer; bearer?: string; cert?: { certPem: string; keyPem: string }; method?: string }) {
  const headers: Record<string, string> = {};
  if (options.node !== undefined) headers['NodeName'] = options.node;
  if (options.bearer !== undefined) headers['Authorization'] = `Bearer ${options.bearer}`;
  return rawRequest(`${cloud.bootstrap.url}/edge.crt`, {
    method: options.method ?? 'POST',
    headers,
    body: options.csrPem ?? (await csr(options.node ?? 'edge-1')).csrPem,
    ...(options.cert ? { cert: options.cert } : {}),
  });
}

describe('joining with a token', () => {
  it('checks the CA against the token, gets a certificate for a new key and writes the three files (key 0600)', async () => {
    const joined = await join();

    const ca = new X509Certificate(readFileSync(files.caFile));
    expect(ca.raw.equals(new X509Certificate(cloud.ca.certPem).raw)).toBe(true);
    const cert = new X509Certificate(readFileSync(files.certFile));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(subjectOf(cert.toString())).toEqual({ commonName: 'system:node:edge-1', organizations: ['system:nodes'] });
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // client authentication only
    expect(Math.round((Date.parse(cert.validTo) - Date.now()) / DAY_MS)).toBe(365);
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(files.keyFile)))).toBe(true);
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    expect(joined.notAfter).toEqual(new Date(cert.validTo));
    // Written by rename: nothing left behind.
    for (const file of [files.caFile, files.certFile]) expect(readdirSync(dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await cloud.registry.getSingleMetricAsString('cloudhub_certificate_requests_total')).toContain('outcome="signed",reason="token"');
  });

  it('serves the CA certificate as DER at GET /ca.crt, to anyone', async () => {
    const answer = await rawRequest(`${cloud.bootstrap.url}/ca.crt`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/pkix-cert');
    expect(answer.body.equals(new X509Certificate(cloud.ca.certPem).raw)).toBe(true);
  });

  it('accepts a token that expired within the clock-skew allowance, and refuses one past it', async () => {
    await join({ token: token(-30_000) });
    expect(existsSync(files.certFile)).toBe(true);

    const error = await joinFailure({ token: token(-90_000), certFile: `${files.certFile}.2`, keyFile: `${files.keyFile}.2` });
    expect(error).toMatchObject({ code: 'REFUSED', httpStatus: 401, reason: 'TOKEN_EXPIRED' });
    expect(error.message).toMatch(/^cloudcore refused to sign a certificate for node edge-1 \(HTTP 401 TOKEN_EXPIRED\): the join token expired at .*, 9\d s ago \(60 s of clock skew are allowed\); run "keadm gettoken" on the cloud for a fresh token$/);
    expect(existsSync(`${files.certFile}.2`)).toBe(false);
  });

  it('is refused for a token whose signature is not this CA key’s, and writes nothing', async () => {
    const foreign = await createCA('foreign');
    const forged = `${cloud.ca.fingerprint}.${jwtOf(createJoinToken(foreign, new Date(Date.now() + HOUR)))}`;
    const error = await joinFailure({ token: forged });
    expect(error).toMatchObject({ code: 'REFUSED', httpStatus: 401, reason: 'TOKEN_BAD_SIGNATURE' });
    expect(error.message).toContain('run "keadm gettoken" on the cloud for a fresh token');
    expect(existsSync(files.caFile) || existsSync(files.certFile) || existsSync(files.keyFile)).toBe(false);
  });

  it('stops before sending the token when the CA does not hash to the token (wrong address, or a man in the middle)', async () => {
    const impostor = await startTestCloud();
    try {
      const error = await joinFailure({ httpServer: impostor.bootstrap.url });
      expect(error.code).toBe('CA_HASH_MISMATCH');
      expect(error.message).toMatch(/^CA hash does not match the token: wrong cloudcore address or a man in the middle \(/);
      expect(await impostor.registry.getSingleMetricAsString('cloudhub_certificate_requests_total')).not.toContain('outcome=');
      expect(existsSync(files.caFile)).toBe(false);
    } finally {
      await impostor.close();
    }
  });

  it('sends the token only to a server whose certificate the CA signed, even when it relays the right CA', async () => {
    const relayCert = await issueCertificate(await createCA('relay'), { commonName: 'relay', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 1 });
    const relay = await startTestCloud({ ca: cloud.ca, server: relayCert });
    try {
      const error = await joinFailure({ httpServer: relay.bootstrap.url });
      expect(error.code).toBe('UNREACHABLE');
      expect(error.message).toContain(`cannot reach cloudcore's bootstrap server at ${relay.bootstrap.url}`);
      expect(await relay.registry.getSingleMetricAsString('cloudhub_certificate_requests_total')).not.toContain('outcome=');
    } finally {
      await relay.close();
    }
  });

  it('refuses malformed and empty tokens before contacting anyone, and says when cloudcore is unreachable', async () => {
    const nowhere = 'https://127.0.0.1:1';
    expect(await joinFailure({ token: 'abc.def', httpServer: nowhere })).toMatchObject({ code: 'TOKEN_MALFORMED' });
    const empty = await joinFailure({ token: '', httpServer: nowhere });
    expect(empty.message).toContain('edgeHub.token is empty');
    const unreachable = await joinFailure({ httpServer: nowhere });
    expect(unreachable.code).toBe('UNREACHABLE');
    expect(unreachable.message).toMatch(/^cannot reach cloudcore's bootstrap server at https:\/\/127\.0\.0\.1:1: .*check edgeHub.httpServer/);
  });
});

describe('/edge.crt refusals', () => {
  it("refuses a CSR for another node's name, or with another group, with 403", async () => {
    const other = await askForCertificate({ node: 'edge-1', bearer: jwtOf(token()), csrPem: (await csr('edge-2')).csrPem });
    expect(other.status).toBe(403);
    expect(other.json()).toEqual({
      reason: 'CSR_SUBJECT_MISMATCH',
      message: 'the CSR asks for CN="system:node:edge-2", O=["system:nodes"]; node "edge-1" may only ask for CN="system:node:edge-1", O=["system:nodes"]',
    });
    const admin = await askForCertificate({ node: 'edge-1', bearer: jwtOf(token()), csrPem: (await csr('edge-1', ['system:masters'])).csrPem });
    expect(admin.status).toBe(403);
    expect(admin.json().reason).toBe('CSR_SUBJECT_MISMATCH');
  });

  it('answers 400 naming the NodeName header, or saying the body is not a CSR', async () => {
    const missing = await askForCertificate({ bearer: jwtOf(token()) });
    expect([missing.status, missing.json().reason]).toEqual([400, 'NODE_NAME_MISSING']);
    expect(missing.json().message).toContain('NodeName header');
    const invalid = await askForCertificate({ node: 'Edge_1', bearer: jwtOf(token()) });
    expect([invalid.status, invalid.json().reason]).toEqual([400, 'NODE_NAME_INVALID']);
    const garbage = await askForCertificate({ node: 'edge-1', bearer: jwtOf(token()), csrPem: 'hello' });
    expect([garbage.status, garbage.json().reason]).toEqual([400, 'CSR_MALFORMED']);
    expect(garbage.json().message).toContain('send a PKCS#10 CSR (PEM or DER)');
    const empty = await askForCertificate({ node: 'edge-1', bearer: jwtOf(token()), csrPem: '' });
    expect(empty.json().message).toBe('the request body is empty; send a PKCS#10 CSR (PEM or DER) as the request body');
  });

  it("signs a DER CSR sent with GET, as KubeEdge's edge sends it, answering DER", async () => {
    const { csrPem } = await csr('edge-1');
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const answer = await askForCertificate({ node: 'edge-1', bearer: jwtOf(token()), csrPem: der, method: 'GET' });
    expect(answer.status).toBe(200);
    expect(new X509Certificate(answer.body).verify(new X509Certificate(cloud.ca.certPem).publicKey)).toBe(true);
  });

  it('answers 401 without a token or certificate, or with a token of the wrong kind', async () => {
    const none = await askForCertificate({ node: 'edge-1' });
    expect([none.status, none.json().reason]).toEqual([401, 'TOKEN_MISSING']);
    const basic = await rawRequest(`${cloud.bootstrap.url}/edge.crt`, { method: 'POST', headers: { NodeName: 'edge-1', Authorization: 'Basic eDp5' }, body: (await csr('edge-1')).csrPem });
    expect([basic.status, basic.json().reason]).toEqual([401, 'TOKEN_MALFORMED']);
    const wrongCa = await askForCertificate({ node: 'edge-1', bearer: createJoinToken(await createCA('x'), new Date(Date.now() + HOUR)) });
    expect([wrongCa.status, wrongCa.json().reason]).toEqual([401, 'TOKEN_WRONG_CA']);
  });

  it('answers 413 for a body over 1 MiB, and 405 / 404 for other methods and paths', async () => {
    const huge = await askForCertificate({ node: 'edge-1', bearer: jwtOf(token()), csrPem: Buffer.alloc((1 << 20) + 1, 0x41) });
    expect([huge.status, huge.json().reason]).toEqual([413, 'BODY_TOO_LARGE']);
    const streamed = await rawRequest(`${cloud.bootstrap.url}/edge.crt`, {
      method: 'POST',
      headers: { NodeName: 'edge-1', Authorization: `Bearer ${jwtOf(token())}` },
      body: Buffer.alloc(3 << 20, 0x41),
      chunked: true,
    });
    expect([streamed.status, streamed.json().reason]).toEqual([413, 'BODY_TOO_LARGE']);
    const put = await rawRequest(`${cloud.bootstrap.url}/edge.crt`, { method: 'PUT' });
    expect([put.status, put.headers['allow'], put.json().reason]).toEqual([405, 'GET, POST', 'METHOD_NOT_ALLOWED']);
    const postCa = await rawRequest(`${cloud.bootstrap.url}/ca.crt`, { method: 'POST' });
    expect([postCa.status, postCa.headers['allow']]).toEqual([405, 'GET, HEAD']);
    const other = await rawRequest(`${cloud.bootstrap.url}/node/edge-1`);
    expect([other.status, other.json().reason]).toEqual([404, 'NOT_FOUND']);
    // The server still serves after all that.
    expect((await rawRequest(`${cloud.bootstrap.url}/ca.crt`)).status).toBe(200);
  });
});

describe('/edge.crt with a client certificate (renewal)', () => {
  const nodeCert = (node: string, validDays = 1, ca = cloud.ca) =>
    issueCertificate(ca, { commonName: `system:node:${node}`, organizations: ['system:nodes'], usage: 'client', validDays });

  it("renews a node's certificate for the node it names, without a token", async () => {
    const answer = await askForCertificate({ node: 'edge-1', cert: await nodeCert('edge-1') });
    expect(answer.status).toBe(200);
    expect(subjectOf(new X509Certificate(answer.body).toString()).commonName).toBe('system:node:edge-1');
    expect(await cloud.registry.getSingleMetricAsString('cloudhub_certificate_requests_total')).toContain('outcome="signed",reason="certificate"');
  });

  it("refuses another node's certificate with 403, even with a CSR for that other node", async () => {
    const edge2 = await nodeCert('edge-2');
    const answer = await askForCertificate({ node: 'edge-1', cert: edge2 });
    expect(answer.status).toBe(403);
    expect(answer.json()).toEqual({
      reason: 'CLIENT_CERT_OTHER_NODE',
      message: 'the client certificate is "system:node:edge-2", not "system:node:edge-1" (NodeName header); a node may only renew its own certificate',
    });
    // A valid certificate decides; a token does not widen it.
    const withToken = await askForCertificate({ node: 'edge-1', cert: edge2, bearer: jwtOf(token()) });
    expect(withToken.status).toBe(403);
  });

  it('refuses an expired or foreign certificate with 401, telling the node to join again', async () => {
    const expired = await askForCertificate({ node: 'edge-1', cert: await nodeCert('edge-1', -30 / 86_400) });
    expect([expired.status, expired.json().reason]).toEqual([401, 'CLIENT_CERT_INVALID']);
    expect(expired.json().message).toContain('it has expired; join again with a token');
    const foreign = await askForCertificate({ node: 'edge-1', cert: await nodeCert('edge-1', 1, await createCA('foreign')) });
    expect([foreign.status, foreign.json().reason]).toEqual([401, 'CLIENT_CERT_INVALID']);
    expect(foreign.json().message).toContain("it is not signed by this cloudcore's CA");
  });

  it('counts refusals by reason', async () => {
    const text = await cloud.registry.getSingleMetricAsString('cloudhub_certificate_requests_total');
    for (const reason of ['csr_subject_mismatch', 'node_name_missing', 'token_missing', 'client_cert_other_node', 'client_cert_invalid', 'body_too_large']) {
      expect(text).toContain(`outcome="refused",reason="${reason}"`);
    }
  });
});
