/**
 * The module runtime (what KubeEdge calls beehive): it owns each module's inbox, routes messages by module name or
 * group, pairs synchronous requests with their responses by parent id, restarts crashed modules with back-off, and
 * shuts down in reverse start order after draining in-flight synchronous calls.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Message } from '../../gen/kubeedge/message/v1/message';
import { Backoff, sleep, within } from '../timing';
import { ModuleError, stopped, syncTimeout, unknownGroup, unknownModule } from './errors';
import { Inbox } from './inbox';
import type { RuntimeMetrics } from './metrics';

export interface Module {
  readonly name: string;
  readonly group: string;
  /**
   * Runs the module until `ctx.signal` aborts, then resolves. A rejection while the signal is live is a crash: the
   * runtime restarts the module (same inbox, nothing queued is lost) or, with restarts off, stops everything.
   */
  run(ctx: ModuleContext): Promise<void>;
}

/** What a running module may do. Messages are treated as immutable once sent. */
export interface ModuleContext {
  readonly name: string;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** This module's messages in arrival order; the iteration ends when the signal aborts. */
  receive(): AsyncIterable<Message>;
  send(destination: string, message: Message): Promise<void>;
  sendToGroup(group: string, message: Message): Promise<void>;
  sendSync(destination: string, message: Message, timeoutMs?: number): Promise<Message>;
  /** Completes the `sendSync` whose message id equals `response.header.parentId`. */
  respond(response: Message): void;
}

export interface RestartOptions {
  enabled: boolean;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface RuntimeOptions {
  log: Logger;
  metrics?: RuntimeMetrics;
  /** Per-module inbox size (beehive's channel size is 1024). */
  queueSize?: number;
  /** Default sendSync timeout (beehive's is 30 s). */
  syncTimeoutMs?: number;
  restart?: RestartOptions;
}

export const DEFAULT_QUEUE_SIZE = 1024;
export const DEFAULT_SYNC_TIMEOUT_MS = 30_000;
export const DEFAULT_RESTART: RestartOptions = { enabled: true, initialDelayMs: 1_000, maxDelayMs: 30_000 };

type RuntimeState = 'new' | 'running' | 'draining' | 'stopped';

interface Entry {
  module: Module;
  inbox: Inbox<Message>;
  /** Settles when the module has finished for good (stopped, or crashed with restarts off). */
  done: Promise<void>;
  controller: AbortController;
  finished: boolean;
  state: ModuleState;
}

/** running; restarting after a crash (waiting out its back-off); failed (crashed, restarts off); stopped. */
export type ModuleState = 'new' | 'running' | 'restarting' | 'failed' | 'stopped';

interface PendingSync {
  resolve: (response: Message) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class ModuleRuntime {
  private readonly entries = new Map<string, Entry>();
  private readonly groups = new Map<string, Entry[]>();
  private readonly pending = new Map<string, PendingSync>();
  private readonly log: Logger;
  private readonly queueSize: number;
  private readonly syncTimeoutMs: number;
  private readonly restart: RestartOptions;
  private state: RuntimeState = 'new';
  private failure: ((error: Error) => void) | undefined;
  private drained: (() => void) | undefined;
  /** Rejects when a module crashes and restarts are off; the program should then stop. */
  readonly failed: Promise<never>;

  constructor(private readonly options: RuntimeOptions) {
    this.log = options.log;
    this.queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    this.syncTimeoutMs = options.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS;
    this.restart = options.restart ?? DEFAULT_RESTART;
    this.failed = new Promise<never>((_, reject) => (this.failure = reject));
    this.failed.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    options.metrics?.observeQueues(() => [...this.entries].map(([name, entry]) => [name, entry.inbox.length]));
  }

  /** Adds a module; modules start in registration order. */
  register(module: Module): void {
    if (this.state !== 'new') throw new ModuleError('NOT_RUNNING', `cannot register "${module.name}" after start`);
    if (this.entries.has(module.name)) {
      throw new ModuleError('DUPLICATE_MODULE', `a module named "${module.name}" is already registered`);
    }
    const inbox = new Inbox<Message>(this.queueSize);
    const full = this.options.metrics?.queueFull(module.name);
    if (full) inbox.onFull = full;
    const entry: Entry = {
      module,
      inbox,
      done: Promise.resolve(),
      controller: new AbortController(),
      finished: false,
      state: 'new',
    };
    this.entries.set(module.name, entry);
    const members = this.groups.get(module.group) ?? [];
    members.push(entry);
    this.groups.set(module.group, members);
  }

  get moduleNames(): string[] {
    return [...this.entries.keys()];
  }

  /** Each module's state, for health checks. */
  moduleStates(): Record<string, ModuleState> {
    return Object.fromEntries([...this.entries].map(([name, entry]) => [name, entry.state]));
  }

  start(): void {
    if (this.state !== 'new') throw new ModuleError('NOT_RUNNING', `runtime already ${this.state}`);
    this.state = 'running';
    for (const entry of this.entries.values()) {
      entry.state = 'running';
      entry.done = this.supervise(entry);
    }
  }

  send(destination: string, message: Message): Promise<void> {
    const entry = this.entries.get(destination);
    if (!entry) return Promise.reject(unknownModule(destination, this.moduleNames));
    if (this.state === 'stopped') return Promise.reject(stopped(`send to "${destination}"`));
    if (entry.finished) {
      return Promise.reject(new ModuleError('NOT_RUNNING', `module "${destination}" is not running`));
    }
    this.options.metrics?.sent();
    return entry.inbox.push(message);
  }

  sendToGroup(group: string, message: Message): Promise<void> {
    const members = this.groups.get(group);
    if (!members) return Promise.reject(unknownGroup(group, [...this.groups.keys()]));
    return Promise.all(members.map((m) => this.send(m.module.name, message))).then(() => undefined);
  }

  sendSync(destination: string, message: Message, timeoutMs = this.syncTimeoutMs): Promise<Message> {
    const id = message.header?.id;
    if (!id) return Promise.reject(new ModuleError('INVALID_MESSAGE', 'header.id: is empty; sendSync needs a message id'));
    if (this.state !== 'running') return Promise.reject(stopped(`sendSync to "${destination}"`));
    if (this.pending.has(id)) {
      return Promise.reject(new ModuleError('INVALID_MESSAGE', `header.id: ${id} is already awaiting a response`));
    }
    message.header!.sync = true;
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id);
        this.options.metrics?.syncTimeout();
        reject(syncTimeout(destination, id, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send(destination, message).catch((error: Error) => {
        if (this.settle(id)) reject(error);
      });
    });
  }

  respond(response: Message): void {
    const parentId = response.header?.parentId;
    const waiter = parentId ? this.pending.get(parentId) : undefined;
    if (!waiter || !this.settle(parentId!)) {
      // The caller timed out or never existed; nobody is left to tell.
      this.options.metrics?.lateResponse();
      this.log.debug({ parentId }, 'dropped a response that no sendSync is waiting for');
      return;
    }
    waiter.resolve(response);
  }

  /**
   * Stops accepting new sync calls, waits for the in-flight ones (up to the grace period), then stops the modules in
   * reverse registration order. Whatever is still pending at the deadline is failed with a STOPPED error.
   * Returns the names of modules that had not stopped by the deadline.
   */
  async stop(graceMs: number): Promise<string[]> {
    if (this.state === 'stopped' || this.state === 'draining') return [];
    const late: string[] = [];
    const wasRunning = this.state === 'running';
    this.state = 'draining';
    const deadline = Date.now() + graceMs;
    if (wasRunning && this.pending.size > 0) {
      await within(graceMs, new Promise<void>((resolve) => (this.drained = resolve)));
    }
    for (const entry of [...this.entries.values()].reverse()) {
      entry.controller.abort(stopped(`module "${entry.module.name}"`));
      const left = Math.max(deadline - Date.now(), 0);
      if (!(await within(left, entry.done))) {
        late.push(entry.module.name);
        this.log.warn({ module: entry.module.name }, 'module did not stop within the grace period');
      }
    }
    for (const [id, waiter] of [...this.pending]) {
      this.settle(id);
      waiter.reject(stopped(`sendSync ${id}`));
    }
    for (const entry of this.entries.values()) {
      const dropped = entry.inbox.close(stopped(`send to "${entry.module.name}"`));
      if (dropped.length > 0) {
        this.log.warn({ module: entry.module.name, dropped: dropped.length }, 'messages still queued at shutdown');
      }
    }
    this.state = 'stopped';
    return late;
  }

  /** Removes a pending sync call; true if this call removed it (so exactly one path settles it). */
  private settle(id: string): boolean {
    const waiter = this.pending.get(id);
    if (!waiter) return false;
    clearTimeout(waiter.timer);
    this.pending.delete(id);
    if (this.pending.size === 0) this.drained?.();
    return true;
  }

  /** Runs a module, restarting it after crashes, until the runtime stops it. */
  private async supervise(entry: Entry): Promise<void> {
    const { module, controller } = entry;
    const log = this.log.child({ module: module.name });
    const backoff = new Backoff({ initialMs: this.restart.initialDelayMs, maxMs: this.restart.maxDelayMs });
    for (;;) {
      const runController = new AbortController();
      // A module hands its signal to every informer, timer and stream it runs; many listeners are normal, not a leak.
      setMaxListeners(0, runController.signal);
      const stopRun = (): void => runController.abort(controller.signal.reason);
      controller.signal.addEventListener('abort', stopRun, { once: true });
      const startedAt = Date.now();
      let crash: unknown;
      try {
        await module.run(this.contextFor(entry, runController.signal, log));
      } catch (error) {
        crash = error;
      } finally {
        controller.signal.removeEventListener('abort', stopRun);
        runController.abort(); // ends a receive loop left behind by a crashed run
      }
      if (controller.signal.aborted) break;
      // A module runs until it is stopped; returning early is as much a fault as throwing.
      crash ??= new ModuleError('MODULE_CRASHED', `module "${module.name}" returned before it was stopped`);
      entry.state = 'restarting';
      this.options.metrics?.crashed(module.name);
      if (!this.restart.enabled) {
        log.error({ err: crash }, 'module crashed; restarts are off, stopping');
        entry.finished = true;
        entry.state = 'failed';
        this.failure?.(new ModuleError('MODULE_CRASHED', `module "${module.name}" crashed`, { cause: crash }));
        return;
      }
      // A module that ran a good while before crashing starts its back-off afresh.
      if (Date.now() - startedAt > this.restart.maxDelayMs) backoff.reset();
      const delayMs = backoff.next();
      log.error({ err: crash, restartInMs: delayMs, attempt: backoff.attempts }, 'module crashed; restarting');
      try {
        await sleep(delayMs, controller.signal);
      } catch {
        break;
      }
      entry.state = 'running';
    }
    entry.finished = true;
    entry.state = 'stopped';
  }

  private contextFor(entry: Entry, signal: AbortSignal, log: Logger): ModuleContext {
    const inbox = entry.inbox;
    return {
      name: entry.module.name,
      signal,
      log,
      receive: () => receiveUntilAborted(inbox, signal),
      send: (destination, message) => this.send(destination, message),
      sendToGroup: (group, message) => this.sendToGroup(group, message),
      sendSync: (destination, message, timeoutMs) => this.sendSync(destination, message, timeoutMs),
      respond: (response) => this.respond(response),
    };
  }
}

/** An async iterable over an inbox that ends (rather than throws) when the module is told to stop. */
function receiveUntilAborted(inbox: Inbox<Message>, signal: AbortSignal): AsyncIterable<Message> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: (): Promise<IteratorResult<Message>> =>
        inbox.take(signal).then(
          (value) => ({ value, done: false }),
          (error: unknown) => {
            if (signal.aborted) return { value: undefined, done: true };
            throw error;
          },
        ),
    }),
  };
}
