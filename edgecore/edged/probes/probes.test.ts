import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import type { Container, Probe } from '../api';
import { PodConfigError } from '../pod-errors';
import { ContainerProbes, ProbeWorker, runProbe, validateContainerProbes, validateProbe, type ProbeTarget } from '.';

/** A stand-in for CRI ExecSync (tested with containerd in the pod worker's tests): runs the command on this host. */
function localExec(cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd[0] as string, cmd.slice(1), { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ exitCode: code, output: stdout + stderr });
    });
  });
}

const target: ProbeTarget = { podIP: '127.0.0.1', exec: localExec, ports: [{ name: 'http', containerPort: 0 }] };

let http: Server;
let httpPort: number;
let seen: { url?: string; headers: Record<string, unknown> }[];

beforeAll(async () => {
  seen = [];
  http = createHttpServer((req, res) => {
    seen.push({ ...(req.url ? { url: req.url } : {}), headers: req.headers });
    switch (req.url) {
      case '/ok':
        return void res.end('fine');
      case '/fail':
        res.statusCode = 500;
        return void res.end('broken');
      case '/redirect':
        res.writeHead(302, { location: '/fail' });
        return void res.end();
      case '/away':
        res.writeHead(301, { location: 'http://example.invalid/' });
        return void res.end();
      case '/slow':
        return void setTimeout(() => res.end('late'), 1500);
      default:
        res.statusCode = 404;
        res.end();
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpPort = (http.address() as AddressInfo).port;
  (target.ports as { containerPort: number }[])[0]!.containerPort = httpPort;
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('runProbe', () => {
  it('httpGet: 2xx passes with kubelet headers, 5xx fails with the status code', async () => {
    expect(await runProbe({ httpGet: { path: '/ok', port: httpPort, httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target)).toEqual({ result: 'success', message: 'fine' });
    expect(seen.at(-1)?.headers).toMatchObject({ 'user-agent': 'kube-probe/1.32', accept: '*/*', 'x-probe': 'yes' });
    expect(await runProbe({ httpGet: { path: '/fail', port: 'http' } }, target)).toEqual({ result: 'failure', message: 'HTTP probe failed with statuscode: 500' });
  });

  it('httpGet: follows same-host redirects, passes on redirects elsewhere', async () => {
    expect(await runProbe({ httpGet: { path: '/redirect', port: httpPort } }, target)).toMatchObject({ result: 'failure', message: 'HTTP probe failed with statuscode: 500' });
    expect(await runProbe({ httpGet: { path: '/away', port: httpPort } }, target)).toMatchObject({ result: 'success', message: expect.stringContaining('Probe terminated redirects') });
  });

  it('httpGet: times out after timeoutSeconds and reports refused connections like Go', async () => {
    const started = Date.now();
    expect(await runProbe({ httpGet: { path: '/slow', port: httpPort }, timeoutSeconds: 1 }, target)).toEqual({
      result: 'failure',
      message: `Get "http://127.0.0.1:${httpPort}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
    expect(Date.now() - started).toBeLessThan(1400);
    const closed = await freePort();
    expect(await runProbe({ httpGet: { path: '/healthz', port: closed } }, target)).toEqual({
      result: 'failure',
      message: `Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    });
    expect(await runProbe({ httpGet: { port: 'nope' } }, target)).toMatchObject({ result: 'failure', message: expect.stringContaining("couldn't find port: nope") });
  });

  it('tcpSocket: connects or reports why not', async () => {
    const server: TcpServer = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await runProbe({ tcpSocket: { port } }, target)).toEqual({ result: 'success', message: '' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await runProbe({ tcpSocket: { port } }, target)).toEqual({ result: 'failure', message: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
  });

  it('exec: exit code 0 passes, anything else fails with the output; a slow command times out', async () => {
    expect(await runProbe({ exec: { command: ['sh', '-c', 'echo ok'] } }, target)).toEqual({ result: 'success', message: 'ok\n' });
    expect(await runProbe({ exec: { command: ['sh', '-c', 'echo bad >&2; exit 3'] } }, target)).toEqual({ result: 'failure', message: 'bad\n' });
    const slow: ProbeTarget = { ...target, exec: () => new Promise(() => undefined) };
    expect(await runProbe({ exec: { command: ['sleep', '5'] }, timeoutSeconds: 1 }, slow)).toEqual({ result: 'failure', message: 'command "sleep 5" timed out' });
    const broken: ProbeTarget = { ...target, exec: () => Promise.reject(new Error('container not running')) };
    expect(await runProbe({ exec: { command: ['true'] } }, broken)).toEqual({ result: 'failure', message: 'container not running' });
  });
});

describe('validateProbe', () => {
  it('names what is wrong', () => {
    expect(validateProbe({ exec: { command: ['true'] } }, 'liveness')).toEqual([]);
    expect(validateProbe({}, 'liveness')).toEqual(['livenessProbe: Required value: must specify a handler type']);
    expect(validateProbe({ exec: { command: ['true'] }, tcpSocket: { port: 80 } }, 'readiness')).toEqual([
      'readinessProbe: Forbidden: may not specify more than 1 handler type (exec, tcpSocket)',
    ]);
    expect(validateProbe({ tcpSocket: { port: 80 }, periodSeconds: -1, successThreshold: 2 }, 'startup')).toEqual([
      'startupProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
      'startupProbe.successThreshold: Invalid value: 2: must be 1',
    ]);
    expect(validateProbe({ httpGet: { port: 70000 } }, 'readiness')[0]).toContain('readinessProbe.httpGet.port: Invalid value: 70000');
  });

  it('turns into a CreateContainerConfigError for the container', () => {
    const container: Container = { name: 'app', livenessProbe: { exec: { command: ['true'] }, initialDelaySeconds: -5 } };
    expect(() => validateContainerProbes(container)).toThrow(PodConfigError);
    expect(() => validateContainerProbes(container)).toThrow(
      'invalid probe for container "app": livenessProbe.initialDelaySeconds: Invalid value: -5: must be greater than or equal to 0',
    );
  });
});

/** A probe target whose exec answers from a script of exit codes, counting calls. */
function scripted(codes: () => number): { podIP: string; calls: number; exec: () => Promise<{ exitCode: number; output: string }> } {
  const t = {
    podIP: '127.0.0.1',
    calls: 0,
    exec: async () => {
      t.calls++;
      const exitCode = codes();
      return { exitCode, output: exitCode === 0 ? '' : `exit ${exitCode}` };
    },
  };
  return t;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('ProbeWorker', () => {
  const MS = 20; // one probe "second"

  it('reports liveness failure only after failureThreshold failures in a row, then stops', async () => {
    let exitCode = 0;
    const exec = scripted(() => exitCode);
    const results: [string, boolean, string][] = [];
    const attempts: string[] = [];
    const worker = new ProbeWorker({
      kind: 'liveness',
      probe: { exec: { command: ['check'] }, periodSeconds: 1, failureThreshold: 3 },
      target: exec,
      msPerSecond: MS,
      onResult: (kind, ok, message) => results.push([kind, ok, message]),
      onAttempt: (_kind, outcome) => attempts.push(outcome.result),
    });
    expect(worker.result).toBe(true);
    worker.start();
    await until(() => exec.calls >= 2);
    expect(results).toEqual([]); // still passing: nothing to report
    exitCode = 1;
    await until(() => results.length === 1);
    expect(results).toEqual([['liveness', false, 'exit 1']]);
    expect(attempts.slice(-3)).toEqual(['failure', 'failure', 'failure']);
    const calls = exec.calls;
    await sleep(MS * 4);
    expect(exec.calls).toBe(calls); // on hold: the container gets restarted with new workers
    worker.stop();
  });

  it('readiness starts not ready, needs successThreshold passes, and waits out initialDelaySeconds', async () => {
    const exec = scripted(() => 0);
    const results: boolean[] = [];
    const startedAtMs = Date.now();
    const worker = new ProbeWorker({
      kind: 'readiness',
      probe: { exec: { command: ['check'] }, periodSeconds: 1, successThreshold: 2, initialDelaySeconds: 5 },
      target: exec,
      startedAtMs,
      msPerSecond: MS,
      onResult: (_kind, ok) => results.push(ok),
    });
    expect(worker.result).toBe(false);
    worker.start();
    await until(() => results.length === 1);
    expect(results).toEqual([true]);
    expect(Date.now() - startedAtMs).toBeGreaterThanOrEqual(5 * MS + MS);
    expect(exec.calls).toBe(2);
    worker.stop();
  });
});

describe('ContainerProbes', () => {
  it('holds liveness and readiness until startup passes, then probes readiness at once', async () => {
    let startupOk = false;
    const startupExec = scripted(() => (startupOk ? 0 : 1));
    const otherExec = scripted(() => 0);
    const events: string[] = [];
    const probe = (command: string, periodSeconds: number): Probe => ({ exec: { command: [command] }, periodSeconds, failureThreshold: 100 });
    const container: Container = { name: 'c', startupProbe: probe('startup', 1), livenessProbe: probe('other', 1), readinessProbe: probe('other', 50) };
    const target: ProbeTarget = { podIP: '127.0.0.1', exec: (cmd) => (cmd[0] === 'startup' ? startupExec : otherExec).exec() };
    const probes = new ContainerProbes({ container, target, startedAtMs: Date.now(), msPerSecond: 20, onResult: (kind, ok) => events.push(`${kind}=${ok}`) });
    probes.start();
    await until(() => startupExec.calls >= 3);
    expect(probes.started).toBe(false);
    expect(probes.ready).toBe(false);
    expect(otherExec.calls).toBe(0);
    startupOk = true;
    await until(() => events.includes('readiness=true'), 500); // readiness period is 50 "s" = 1 s: the trigger made it
    expect(events).toEqual(['startup=true', 'readiness=true']);
    expect(probes.started).toBe(true);
    expect(probes.ready).toBe(true);
    expect(probes.healthy).toBe(true);
    probes.stop();
  });

  it('is started and ready without probes', () => {
    const probes = new ContainerProbes({ container: { name: 'c' }, target, startedAtMs: Date.now(), onResult: () => undefined });
    probes.start();
    expect([probes.started, probes.ready, probes.healthy]).toEqual([true, true, true]);
    probes.stop();
  });
});
