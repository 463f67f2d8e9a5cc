import { createServer } from 'node:net';
import { Counter, register as globalRegistry } from 'prom-client';
import { createMetricsRegistry, MonitorServerError, startMonitorServer, type HealthCheck, type MonitorServer } from '.';

const loopback = { host: '127.0.0.1', port: 0 };

describe('monitor server', () => {
  let controller: AbortController;
  let server: MonitorServer;
  let healthy: boolean;
  const checks: HealthCheck[] = [
    { name: 'always', check: () => undefined },
    {
      name: 'edgeHub',
      check: () => {
        if (!healthy) throw new Error('not connected to cloudcore');
      },
    },
  ];
  const url = (path: string) => `http://127.0.0.1:${server.address.port}${path}`;

  beforeEach(async () => {
    healthy = true;
    controller = new AbortController();
    const registry = createMetricsRegistry({ defaultLabels: { program: 'test' } });
    new Counter({ name: 'test_requests_total', help: 'test counter', registers: [registry] }).inc(3);
    server = await startMonitorServer({ bindAddress: loopback, registry, healthChecks: checks, signal: controller.signal });
  });

  afterEach(async () => {
    controller.abort();
    await server.closed;
  });

  it('binds the port it was given, or a free one for 0', () => {
    expect(server.address.host).toBe('127.0.0.1');
    expect(server.address.port).toBeGreaterThan(0);
  });

  it('serves Prometheus text with process metrics and the registry own metrics', async () => {
    const response = await fetch(url('/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    expect(body).toContain('test_requests_total{program="test"} 3');
    expect(body).toContain('process_cpu_user_seconds_total');
  });

  it('never registers on the global registry', () => {
    expect(globalRegistry.getSingleMetric('test_requests_total')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
  });

  it('answers /healthz with ok, or 503 naming the failing check', async () => {
    const good = await fetch(url('/healthz'));
    expect([good.status, await good.text()]).toEqual([200, 'ok\n']);
    healthy = false;
    const bad = await fetch(url('/healthz'));
    expect(bad.status).toBe(503);
    expect(await bad.text()).toBe('unhealthy\nedgeHub: not connected to cloudcore\n');
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    expect((await fetch(url('/nope'))).status).toBe(404);
    const post = await fetch(url('/metrics'), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('closes when the signal aborts', async () => {
    controller.abort();
    await server.closed;
    await expect(fetch(url('/healthz'))).rejects.toThrow();
  });
});

describe('monitor server health check timeout', () => {
  it('reports a check that does not answer in time', async () => {
    const controller = new AbortController();
    const stuck: HealthCheck = { name: 'stuck', check: () => new Promise<void>(() => undefined) };
    const server = await startMonitorServer({
      bindAddress: loopback,
      registry: createMetricsRegistry(),
      healthChecks: [stuck],
      healthCheckTimeoutMs: 50,
      signal: controller.signal,
    });
    const response = await fetch(`http://127.0.0.1:${server.address.port}/healthz`);
    expect(await response.text()).toBe('unhealthy\nstuck: no answer within 50ms\n');
    controller.abort();
    await server.closed;
  });
});

describe('monitor server listen failure', () => {
  it('throws MonitorServerError when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const controller = new AbortController();
    const start = startMonitorServer({ bindAddress: { host: '127.0.0.1', port }, registry: createMetricsRegistry(), signal: controller.signal });
    await expect(start).rejects.toBeInstanceOf(MonitorServerError);
    await expect(start).rejects.toMatchObject({ code: 'MONITOR_LISTEN_FAILED' });
    await new Promise((resolve) => blocker.close(resolve));
  });
});
