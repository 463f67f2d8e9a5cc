import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpMethod, RequestContext } from './client-node';
import { isAlreadyExists, isConflict, isGone, isNotFound, isTooLargeResourceVersion, KubeApiError, KubeConfigError } from './errors';
import { loadKubeConfig } from './kubeconfig';

const dir = mkdtempSync(join(tmpdir(), 'kube-config-'));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const config = (server: string, current = 'ctx'): string => `
apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: { token: secret } }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ${current}
`;
const limits = { qps: 10, burst: 2 };

describe('loadKubeConfig', () => {
  it('loads a valid file', () => {
    const kc = loadKubeConfig({ kubeconfigPath: write('ok', config('https://127.0.0.1:6443')), ...limits });
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(kc.source).toBe(join(dir, 'ok'));
  });

  it('names the file when it is missing, not YAML, or inconsistent', () => {
    const missing = join(dir, 'nope');
    expect(() => loadKubeConfig({ kubeconfigPath: missing, ...limits })).toThrow(`kubeconfig ${missing} does not exist`);
    const bad = write('bad', 'clusters: [unclosed');
    expect(() => loadKubeConfig({ kubeconfigPath: bad, ...limits })).toThrow(new RegExp(`^kubeconfig ${bad} is not valid: `));
    const noContext = write('noctx', config('https://x', 'other'));
    expect(() => loadKubeConfig({ kubeconfigPath: noContext, ...limits })).toThrow('current-context "other" is not among its contexts');
    const http = write('http', config('http://127.0.0.1:8080'));
    expect(() => loadKubeConfig({ kubeconfigPath: http, ...limits })).toThrow('must be https');
    expect(() => loadKubeConfig({ kubeconfigPath: bad, ...limits })).toThrow(KubeConfigError);
  });

  it('with no path and nothing in the environment, says where it looked', () => {
    const env = { HOME: dir };
    expect(() => loadKubeConfig({ ...limits, env })).toThrow('no kubeconfig: pass kubeAPIConfig.kubeConfig');
    expect(loadKubeConfig({ ...limits, env: { KUBECONFIG: write('env', config('https://h:1')) } }).getCurrentCluster()?.server).toBe('https://h:1');
  });

  it('refuses impossible rate limits', () => {
    const path = write('ok2', config('https://h:1'));
    expect(() => loadKubeConfig({ kubeconfigPath: path, qps: 0, burst: 1 })).toThrow('qps must be a positive number');
    expect(() => loadKubeConfig({ kubeconfigPath: path, qps: 1, burst: 0.5 })).toThrow('burst must be an integer >= 1');
  });

  it('rate-limits every request client-node authenticates, beyond the burst', async () => {
    const kc = loadKubeConfig({ kubeconfigPath: write('rl', config('https://127.0.0.1:1')), qps: 20, burst: 2 });
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const context = new RequestContext('https://127.0.0.1:1/api', HttpMethod.GET);
      await kc.applySecurityAuthentication(context);
      expect(context.getHeaders()['Authorization']).toBe('Bearer secret');
    }
    // 2 at once, then 3 more at 20/s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('KubeApiError', () => {
  const status = (code: number, reason: string, message = 'm') => JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message });

  it('takes code, reason and message from a Status body', () => {
    const error = KubeApiError.fromResponse(404, status(404, 'NotFound', 'pods "x" not found'), 'GET /api/v1/pods/x');
    expect(error).toMatchObject({ code: 404, reason: 'NotFound', message: 'GET /api/v1/pods/x: pods "x" not found' });
    expect(isNotFound(error)).toBe(true);
  });

  it('tells Conflict from AlreadyExists by reason, and recognises 410 and too-large versions', () => {
    expect(isConflict(KubeApiError.fromResponse(409, status(409, 'Conflict'), 'x'))).toBe(true);
    expect(isAlreadyExists(KubeApiError.fromResponse(409, status(409, 'Conflict'), 'x'))).toBe(false);
    expect(isAlreadyExists(KubeApiError.fromResponse(409, status(409, 'AlreadyExists'), 'x'))).toBe(true);
    expect(isConflict(KubeApiError.fromResponse(409, status(409, 'AlreadyExists'), 'x'))).toBe(false);
    expect(isGone(KubeApiError.fromStatus({ code: 410, reason: 'Expired', message: 'too old resource version' }, 'w'))).toBe(true);
    expect(isGone(KubeApiError.fromResponse(410, '', 'w'))).toBe(true);
    const tooLarge = KubeApiError.fromStatus({ code: 504, reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } }, 'w');
    expect(isTooLargeResourceVersion(tooLarge)).toBe(true);
    expect(isTooLargeResourceVersion(KubeApiError.fromResponse(504, status(504, 'Timeout', 'slow'), 'w'))).toBe(false);
  });

  it('keeps non-Status answers readable, and marks unreachable servers with code 0', () => {
    const error = KubeApiError.fromResponse(502, '<html>bad gateway</html>', 'GET /x');
    expect(error).toMatchObject({ code: 502, reason: 'Unknown', message: 'GET /x: <html>bad gateway</html>' });
    expect(KubeApiError.unreachable('GET /x', new Error('connect ECONNREFUSED'))).toMatchObject({ code: 0, reason: 'Unreachable' });
    expect(isNotFound(new Error('404'))).toBe(false);
  });
});
