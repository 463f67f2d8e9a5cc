import pino from 'pino';
import { Registry } from 'prom-client';
import type { Message } from '../../gen/kubeedge/message/v1/message';
import { createRuntimeMetrics, ModuleError, ModuleRuntime, type Module, type ModuleContext } from '.';

const log = pino({ level: 'silent' });
let seq = 0;

function message(fields: { id?: string; parentId?: string; resource?: string } = {}): Message {
  return {
    header: {
      id: fields.id ?? `m${++seq}`,
      parentId: fields.parentId ?? '',
      timestampMs: Date.now(),
      resourceVersion: '',
      sync: false,
    },
    route: { source: 'test', destination: '', group: '', operation: 0, resource: fields.resource ?? '' },
    content: new Uint8Array(),
    contentType: '',
  } as Message;
}

const responseTo = (request: Message, resource = 'reply'): Message =>
  message({ parentId: request.header!.id, resource });

/** A module whose behaviour each test supplies. */
function defineModule(name: string, run: (ctx: ModuleContext) => Promise<void>, group = name): Module {
  return { name, group, run };
}

/** Collects every message until stopped. */
function collector(name: string, into: Message[], group = name): Module {
  return defineModule(
    name,
    async (ctx) => {
      for await (const m of ctx.receive()) into.push(m);
    },
    group,
  );
}

/** Answers every request after `delayMs`. */
function responder(name: string, delayMs = 0): Module {
  return defineModule(name, async (ctx) => {
    for await (const request of ctx.receive()) {
      const answer = (): void => ctx.respond(responseTo(request, `re:${request.route!.resource}`));
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    }
  });
}

async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const runtimes: ModuleRuntime[] = [];
function newRuntime(options: Partial<ConstructorParameters<typeof ModuleRuntime>[0]> = {}): ModuleRuntime {
  const runtime = new ModuleRuntime({ log, restart: { enabled: true, initialDelayMs: 10, maxDelayMs: 50 }, ...options });
  runtimes.push(runtime);
  return runtime;
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop(500)));
});

describe('ModuleRuntime messaging', () => {
  it('delivers messages to one destination in the order they were sent', async () => {
    const got: Message[] = [];
    const runtime = newRuntime({ queueSize: 8 });
    runtime.register(collector('sink', got));
    runtime.start();
    const sent = Array.from({ length: 500 }, () => message());
    // Not awaiting each send: ordering must hold even while senders are blocked on a full queue.
    await Promise.all(sent.map((m) => runtime.send('sink', m)));
    await eventually(() => got.length === sent.length);
    expect(got.map((m) => m.header!.id)).toEqual(sent.map((m) => m.header!.id));
  });

  it('sends to every module of a group', async () => {
    const a: Message[] = [];
    const b: Message[] = [];
    const runtime = newRuntime();
    runtime.register(collector('twin', a, 'devices'));
    runtime.register(collector('mapper', b, 'devices'));
    runtime.start();
    await runtime.sendToGroup('devices', message({ id: 'g1' }));
    await eventually(() => a.length === 1 && b.length === 1);
    expect(a[0]!.header!.id).toBe('g1');
    expect(b[0]!.header!.id).toBe('g1');
  });

  it('refuses unknown modules and groups with a clear error', async () => {
    const runtime = newRuntime();
    runtime.register(collector('known', []));
    runtime.start();
    await expect(runtime.send('missing', message())).rejects.toMatchObject({
      code: 'UNKNOWN_MODULE',
      message: expect.stringContaining('registered: known'),
    });
    await expect(runtime.sendToGroup('nobody', message())).rejects.toMatchObject({ code: 'UNKNOWN_GROUP' });
    await expect(runtime.sendSync('missing', message(), 100)).rejects.toMatchObject({ code: 'UNKNOWN_MODULE' });
  });

  it('counts sent messages and reports queue depth when scraped', async () => {
    const registry = new Registry();
    const runtime = newRuntime({ metrics: createRuntimeMetrics(registry) });
    runtime.register(defineModule('idle', async (ctx) => void (await new Promise((r) => ctx.signal.addEventListener('abort', r)))));
    runtime.start();
    for (let i = 0; i < 3; i++) await runtime.send('idle', message());
    const text = await registry.metrics();
    expect(text).toMatch(/module_messages_sent_total 3/);
    expect(text).toMatch(/module_queue_depth\{module="idle"\} 3/);
  });

  it('refuses a second module with the same name', () => {
    const runtime = newRuntime();
    runtime.register(collector('x', []));
    expect(() => runtime.register(collector('x', []))).toThrow(ModuleError);
  });
});

describe('ModuleRuntime sendSync', () => {
  it('resolves each call with the response whose parent id matches, whatever the answer order', async () => {
    const runtime = newRuntime();
    // Answers in reverse order of arrival once it holds three requests.
    runtime.register(
      defineModule('meta', async (ctx) => {
        const held: Message[] = [];
        for await (const request of ctx.receive()) {
          held.push(request);
          if (held.length === 3) for (const r of held.reverse()) ctx.respond(responseTo(r, `re:${r.route!.resource}`));
        }
      }),
    );
    runtime.start();
    const calls = ['a', 'b', 'c'].map((resource) => runtime.sendSync('meta', message({ resource }), 1000));
    const responses = await Promise.all(calls);
    expect(responses.map((r) => r.route!.resource)).toEqual(['re:a', 're:b', 're:c']);
  });

  it('marks the request as sync', async () => {
    const seen: Message[] = [];
    const runtime = newRuntime();
    runtime.register(
      defineModule('meta', async (ctx) => {
        for await (const r of ctx.receive()) {
          seen.push(r);
          ctx.respond(responseTo(r));
        }
      }),
    );
    runtime.start();
    await runtime.sendSync('meta', message(), 1000);
    expect(seen[0]!.header!.sync).toBe(true);
  });

  it('times out with SYNC_TIMEOUT and drops the late response', async () => {
    const registry = new Registry();
    const runtime = newRuntime({ metrics: createRuntimeMetrics(registry) });
    runtime.register(responder('slow', 150));
    runtime.start();
    const started = Date.now();
    await expect(runtime.sendSync('slow', message(), 40)).rejects.toMatchObject({ code: 'SYNC_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(140);
    await new Promise((r) => setTimeout(r, 200));
    const text = await registry.metrics();
    expect(text).toMatch(/module_sync_timeouts_total 1/);
    expect(text).toMatch(/module_late_responses_total 1/);
  });

  it('refuses a request without an id', async () => {
    const runtime = newRuntime();
    runtime.register(responder('meta'));
    runtime.start();
    const bad = message();
    bad.header!.id = '';
    await expect(runtime.sendSync('meta', bad, 100)).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
  });
});

describe('ModuleRuntime back-pressure', () => {
  it('makes senders wait while the destination inbox is full', async () => {
    const registry = new Registry();
    const runtime = newRuntime({ queueSize: 2, metrics: createRuntimeMetrics(registry) });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const got: Message[] = [];
    runtime.register(
      defineModule('sink', async (ctx) => {
        await gate;
        for await (const m of ctx.receive()) got.push(m);
      }),
    );
    runtime.start();
    await runtime.send('sink', message());
    await runtime.send('sink', message());
    let thirdQueued = false;
    const third = runtime.send('sink', message()).then(() => (thirdQueued = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(thirdQueued).toBe(false);
    expect(await registry.metrics()).toMatch(/module_queue_full_total\{module="sink"\} 1/);
    release();
    await third;
    await eventually(() => got.length === 3);
  });
});

describe('ModuleRuntime restarts', () => {
  it('restarts a crashed module and loses none of its queued messages', async () => {
    const got: string[] = [];
    let runs = 0;
    const runtime = newRuntime();
    runtime.register(
      defineModule('flaky', async (ctx) => {
        runs++;
        for await (const m of ctx.receive()) {
          if (runs === 1 && m.header!.id === 'boom') throw new Error('device bus fault');
          got.push(m.header!.id);
        }
      }),
    );
    runtime.start();
    await runtime.send('flaky', message({ id: 'boom' }));
    // Sent while the module is down or backing off: must wait in the inbox.
    await runtime.send('flaky', message({ id: 'after-1' }));
    await runtime.send('flaky', message({ id: 'after-2' }));
    await eventually(() => got.length === 2);
    expect(runs).toBe(2);
    expect(got).toEqual(['after-1', 'after-2']);
  });

  it('treats a module that returns before it is stopped as crashed, and shows it in moduleStates', async () => {
    let runs = 0;
    const runtime = newRuntime({ restart: { enabled: true, initialDelayMs: 200, maxDelayMs: 200 } });
    runtime.register(defineModule('quitter', async () => void runs++));
    runtime.start();
    await eventually(() => runtime.moduleStates()['quitter'] === 'restarting');
    expect(runs).toBe(1);
    await eventually(() => runs === 2);
  });

  it('reports the crash instead when restarts are off', async () => {
    const runtime = newRuntime({ restart: { enabled: false, initialDelayMs: 10, maxDelayMs: 10 } });
    runtime.register(
      defineModule('fragile', async () => {
        throw new Error('broken');
      }),
    );
    runtime.start();
    await expect(runtime.failed).rejects.toMatchObject({ code: 'MODULE_CRASHED', cause: expect.any(Error) });
    await expect(runtime.send('fragile', message())).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });

  it('backs off between restarts of a module that keeps crashing', async () => {
    const starts: number[] = [];
    const runtime = newRuntime({ restart: { enabled: true, initialDelayMs: 20, maxDelayMs: 80 } });
    runtime.register(
      defineModule('crashy', async () => {
        starts.push(Date.now());
        throw new Error('always');
      }),
    );
    runtime.start();
    await eventually(() => starts.length >= 4);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    // 20, 40, 80 ms minus up to 20% jitter: growing, never past the cap.
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[2]).toBeGreaterThanOrEqual(60);
    expect(Math.max(...gaps)).toBeLessThan(80 + 40);
  });
});

describe('ModuleRuntime shutdown', () => {
  it('drains an in-flight sendSync before stopping modules', async () => {
    const runtime = newRuntime();
    runtime.register(responder('meta', 60));
    runtime.start();
    const call = runtime.sendSync('meta', message({ resource: 'pod' }), 1000);
    await new Promise((r) => setTimeout(r, 5));
    const stopping = runtime.stop(1000);
    await expect(runtime.sendSync('meta', message(), 1000)).rejects.toMatchObject({ code: 'STOPPED' });
    await expect(call).resolves.toMatchObject({ route: { resource: 're:pod' } });
    await stopping;
    await expect(runtime.send('meta', message())).rejects.toMatchObject({ code: 'STOPPED' });
  });

  it('fails sync calls still unanswered at the grace deadline', async () => {
    const runtime = newRuntime();
    runtime.register(collector('deaf', []));
    runtime.start();
    const call = runtime.sendSync('deaf', message(), 10_000);
    const started = Date.now();
    await runtime.stop(80);
    await expect(call).rejects.toMatchObject({ code: 'STOPPED' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops modules in reverse registration order', async () => {
    const order: string[] = [];
    const runtime = newRuntime();
    for (const name of ['hub', 'meta', 'edged']) {
      runtime.register(
        defineModule(name, async (ctx) => {
          for await (const _ of ctx.receive()) void _;
          order.push(name);
        }),
      );
    }
    runtime.start();
    await runtime.stop(1000);
    expect(order).toEqual(['edged', 'meta', 'hub']);
  });

  it('gives up on a module that ignores its stop signal', async () => {
    const runtime = newRuntime();
    runtime.register(defineModule('stubborn', () => new Promise<void>(() => undefined)));
    runtime.start();
    const started = Date.now();
    await runtime.stop(50);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
