import { createLogger } from '../log';
import { aborted } from '../timing';
import { DaemonError, runDaemon, type DaemonModule } from '.';
import { memoryIO } from './testing/memory-io';

const loopback = { host: '127.0.0.1', port: 0 };
const quickRestart = { enabled: false, initialDelayMs: 10, maxDelayMs: 10 };

/** A module that runs until its signal aborts, then takes `stopMs` to stop. */
function module(name: string, events: string[], stopMs = 0): DaemonModule {
  return {
    name,
    group: name,
    run: async (ctx) => {
      events.push(`${name} started`);
      await aborted(ctx.signal);
      await new Promise((r) => setTimeout(r, stopMs));
      events.push(`${name} stopped`);
    },
  };
}

function setup() {
  const stop = new AbortController();
  const io = memoryIO(stop.signal);
  const logger = createLogger({ level: 'debug', name: 'test', destination: io.stdout });
  return { stop, io, logger };
}

const options = (logger: ReturnType<typeof createLogger>, modules: DaemonModule[], shutdownGraceMs = 1000) => ({
  program: 'test',
  logger,
  monitorBindAddress: loopback,
  modules,
  shutdownGraceMs,
  restart: quickRestart,
});

describe('runDaemon', () => {
  it('starts the modules, and on abort stops them in reverse order, then the monitor server', async () => {
    const { stop, io, logger } = setup();
    const events: string[] = [];
    const done = runDaemon(options(logger, [module('a', events), module('b', events, 20)]), stop.signal);
    const listening = await io.waitForLog((line) => String(line['msg']).startsWith('monitor server listening'));
    expect(io.logs().find((line) => line['msg'] === 'starting modules')).toMatchObject({ modules: ['a', 'b'] });
    const metrics = await (await fetch(`http://${String(listening['address'])}/metrics`)).text();
    expect(metrics).toMatch(/module_queue_depth\{module="a",program="test"\} 0/);
    stop.abort('enough');
    await done;
    expect(events).toEqual(['a started', 'b started', 'b stopped', 'a stopped']);
    expect(io.logs().find((line) => line['msg'] === 'shutting down')).toMatchObject({ reason: 'enough' });
    await expect(fetch(`http://${String(listening['address'])}/healthz`)).rejects.toThrow();
  });

  it('shuts everything down when a module fails and restarts are off, and reports it', async () => {
    const { stop, logger } = setup();
    const events: string[] = [];
    const failing: DaemonModule = { name: 'bad', group: 'bad', run: () => Promise.reject(new Error('boom')) };
    const done = runDaemon(options(logger, [module('ok', events), failing]), stop.signal);
    await expect(done).rejects.toMatchObject({ code: 'MODULE_FAILED', message: 'module "bad" crashed' });
    expect(events).toEqual(['ok started', 'ok stopped']);
  });

  it('counts a module that returns on its own as failed', async () => {
    const { stop, logger } = setup();
    const quitter: DaemonModule = { name: 'quitter', group: 'q', run: () => Promise.resolve() };
    await expect(runDaemon(options(logger, [quitter]), stop.signal)).rejects.toBeInstanceOf(DaemonError);
  });

  it('gives up after the grace period', async () => {
    const { stop, logger } = setup();
    const stuck: DaemonModule = { name: 'stuck', group: 's', run: () => new Promise<void>(() => undefined) };
    const done = runDaemon(options(logger, [stuck], 50), stop.signal);
    await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await expect(done).rejects.toEqual(
      new DaemonError('SHUTDOWN_TIMEOUT', 'not everything stopped within 50ms (still running: stuck)'),
    );
  });

  it('feeds module health checks, and crashed modules, to /healthz', async () => {
    const { stop, io, logger } = setup();
    const sick: DaemonModule = {
      ...module('sick', []),
      healthCheck: { name: 'sick', check: () => Promise.reject(new Error('cannot reach cloudcore')) },
    };
    const crashy: DaemonModule = { name: 'crashy', group: 'c', run: () => Promise.reject(new Error('again')) };
    const done = runDaemon(
      { ...options(logger, [sick, crashy]), restart: { enabled: true, initialDelayMs: 5000, maxDelayMs: 5000 } },
      stop.signal,
    );
    const listening = await io.waitForLog((line) => String(line['msg']).startsWith('monitor server listening'));
    await io.waitForLog((line) => line['msg'] === 'module crashed; restarting');
    const response = await fetch(`http://${String(listening['address'])}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('unhealthy\nmodules: crashy is restarting\nsick: cannot reach cloudcore\n');
    stop.abort();
    await done;
  });
});
