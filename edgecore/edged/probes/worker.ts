import type { Container, Probe } from '../api';
import { runProbe, type ProbeOutcome, type ProbeTarget } from './run';
import { probeTiming, type ProbeKind, type ProbeTiming } from './validate';

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Probe;
  target: ProbeTarget;
  /** Called when the reported result changes (after success/failure thresholds), never twice with the same `ok`. */
  onResult(kind: ProbeKind, ok: boolean, message: string): void;
  /** Called after every attempt (the pod worker records Unhealthy events for failures, as kubelet does). */
  onAttempt?(kind: ProbeKind, outcome: ProbeOutcome): void;
  /** When the container started (ms since epoch); initialDelaySeconds counts from here. Default: now. */
  startedAtMs?: number;
  /** liveness/readiness probes do not run until this says true (the startup probe passed). Default: always. */
  started?: () => boolean;
  /** Length of a "second" of initialDelaySeconds/periodSeconds in ms: 1000, except in tests (timeouts stay real). */
  msPerSecond?: number;
  now?: () => number;
}

/**
 * One probe of one container instance, as kubelet's prober worker: the first attempt at startedAt +
 * initialDelaySeconds, then every periodSeconds; a result is reported once it repeats successThreshold (success) or
 * failureThreshold (failure) times in a row. Initial results are kubelet's: liveness passes, readiness fails, startup
 * is unknown. A liveness or startup failure, and a startup success, end the worker: the container is restarted (new
 * instance, new workers) or has started. Create new workers for a restarted container.
 */
export class ProbeWorker {
  readonly kind: ProbeKind;
  private readonly timing: ProbeTiming;
  private readonly msPerSecond: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private running = false;
  private lastOutcome: ProbeOutcome['result'] | undefined;
  private run = 0;
  private reported: boolean | undefined;

  constructor(private readonly options: ProbeWorkerOptions) {
    this.kind = options.kind;
    this.timing = probeTiming(options.probe);
    this.msPerSecond = options.msPerSecond ?? 1000;
    this.now = options.now ?? Date.now;
    this.reported = options.kind === 'liveness' ? true : options.kind === 'readiness' ? false : undefined;
  }

  /** The reported result: true passed, false failed, undefined not known yet (startup before its first verdict). */
  get result(): boolean | undefined {
    return this.reported;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const firstAt = (this.options.startedAtMs ?? this.now()) + this.timing.initialDelaySeconds * this.msPerSecond;
    this.schedule(Math.max(0, firstAt - this.now()));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Probe now instead of waiting for the period (kubelet does this for readiness once startup passes). */
  trigger(): void {
    if (this.stopped || this.running) return;
    const firstAt = (this.options.startedAtMs ?? this.now()) + this.timing.initialDelaySeconds * this.msPerSecond;
    if (this.now() < firstAt) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.kind !== 'startup' && this.options.started !== undefined && !this.options.started()) {
      this.schedule(this.timing.periodSeconds * this.msPerSecond);
      return;
    }
    this.running = true;
    let outcome: ProbeOutcome;
    try {
      outcome = await runProbe({ ...this.options.probe, timeoutSeconds: this.timing.timeoutSeconds }, this.options.target);
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    this.options.onAttempt?.(this.kind, outcome);
    this.record(outcome);
    if (!this.stopped) this.schedule(this.timing.periodSeconds * this.msPerSecond);
  }

  private record(outcome: ProbeOutcome): void {
    this.run = outcome.result === this.lastOutcome ? this.run + 1 : 1;
    this.lastOutcome = outcome.result;
    const ok = outcome.result === 'success';
    if (ok && this.run < this.timing.successThreshold) return;
    if (!ok && this.run < this.timing.failureThreshold) return;
    if (this.reported !== ok) {
      this.reported = ok;
      this.options.onResult(this.kind, ok, outcome.message);
    }
    // kubelet puts liveness/startup workers on hold after a failure (the container is killed) and stops probing
    // startup once it passed.
    if ((!ok && this.kind !== 'readiness') || (ok && this.kind === 'startup')) this.stop();
  }
}

export interface ContainerProbesOptions {
  container: Container;
  target: ProbeTarget;
  /** When this container instance started (ms since epoch). */
  startedAtMs: number;
  onResult(kind: ProbeKind, ok: boolean, message: string): void;
  onAttempt?(kind: ProbeKind, outcome: ProbeOutcome): void;
  msPerSecond?: number;
  now?: () => number;
}

/**
 * The probes of one container instance, wired as kubelet does: liveness and readiness wait until the startup probe
 * passes, and readiness is probed at once when it does. `started`/`ready` are the values for ContainerStatus.
 */
export class ContainerProbes {
  private readonly workers = new Map<ProbeKind, ProbeWorker>();

  constructor(options: ContainerProbesOptions) {
    const { container } = options;
    const common = {
      target: options.target,
      startedAtMs: options.startedAtMs,
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
      ...(options.msPerSecond ? { msPerSecond: options.msPerSecond } : {}),
      ...(options.now ? { now: options.now } : {}),
      started: () => this.started,
    };
    const onResult = (kind: ProbeKind, ok: boolean, message: string): void => {
      if (kind === 'startup' && ok) this.workers.get('readiness')?.trigger();
      options.onResult(kind, ok, message);
    };
    const probes: [ProbeKind, Probe | undefined][] = [
      ['startup', container.startupProbe],
      ['liveness', container.livenessProbe],
      ['readiness', container.readinessProbe],
    ];
    for (const [kind, probe] of probes) {
      if (probe !== undefined) this.workers.set(kind, new ProbeWorker({ ...common, kind, probe, onResult }));
    }
  }

  /** ContainerStatus.started: the startup probe passed, or there is none. */
  get started(): boolean {
    const startup = this.workers.get('startup');
    return startup === undefined || startup.result === true;
  }

  /** ContainerStatus.ready: started and the readiness probe passes (or there is none). */
  get ready(): boolean {
    const readiness = this.workers.get('readiness');
    return this.started && (readiness === undefined || readiness.result === true);
  }

  /** false once the liveness or startup probe failed: the container must be killed and restarted. */
  get healthy(): boolean {
    return this.workers.get('liveness')?.result !== false && this.workers.get('startup')?.result !== false;
  }

  start(): void {
    for (const worker of this.workers.values()) worker.start();
  }

  stop(): void {
    for (const worker of this.workers.values()) worker.stop();
  }
}
