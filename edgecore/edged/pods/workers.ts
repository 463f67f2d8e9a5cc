/**
 * PodWorkers: one serialized worker per pod uid (kubelet's podWorkers). update()/remove() only record the desired
 * state and wake the worker; the worker runs syncPod, never two at once for one pod, and again if something changed
 * meanwhile. A relist loop (PLEG) wakes the pods whose containers changed; a GC loop removes dead containers and
 * the sandboxes of pods nobody knows. Stopping edged (abort) leaves every container running.
 */
import { Backoff, sleep } from '../../../pkg/timing';
import type { Pod, PodStatus } from '../api';
import * as labels from '../cri/labels';
import { KeyedBackoff } from './backoff';
import { collectGarbage, type GcResult } from './gc';
import { newPodState, type PodState } from './pod-state';
import { Pleg } from './pleg';
import { deletionGraceSeconds, syncPod } from './sync';
import type { SyncContext } from './sync-context';
import { compileOptions, type CompiledOptions, type PodWorkersDeps, type PodWorkersOptions } from './types';

interface Worker {
  state: PodState;
  running: Promise<void> | undefined;
  dirty: boolean;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
  errors: Backoff;
  /** Resolves remove() callers once cleanup is done. */
  removedWaiters: (() => void)[];
}

export interface AdoptedPod {
  uid: string;
  namespace: string;
  name: string;
  sandboxIds: string[];
  runningContainers: string[];
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly options: CompiledOptions;
  private readonly ctx: SyncContext;
  private runtimeName = 'containerd';
  private sourcesReady = false;
  private closed = false;

  constructor(private readonly deps: PodWorkersDeps, options: PodWorkersOptions) {
    this.options = compileOptions(options);
    const now = deps.now ?? Date.now;
    this.ctx = {
      deps,
      options: this.options,
      crashBackoff: new KeyedBackoff(this.options.crashBackoff, now),
      imageBackoff: new KeyedBackoff(this.options.imageBackoff, now),
      now,
      runtimeName: () => this.runtimeName,
      requeue: (uid) => this.schedule(uid, 0),
    };
  }

  /** New or changed desired state of a pod. A pod with deletionTimestamp is stopped gracefully, then onTerminated. */
  update(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid) throw new TypeError(`pod ${pod.metadata.namespace}/${pod.metadata.name} has no metadata.uid`);
    let w = this.workers.get(uid);
    if (w === undefined) {
      w = { state: newPodState(pod), running: undefined, dirty: false, timer: undefined, timerAt: 0, errors: new Backoff({ initialMs: 500, maxMs: 30_000 }), removedWaiters: [] };
      this.workers.set(uid, w);
    } else {
      if (w.state.removed) return;
      w.state.pod = pod;
    }
    // A shorter grace (force delete) must not wait for the kill in progress.
    const inFlight = w.state.killGraceSeconds;
    if (pod.metadata.deletionTimestamp && inFlight !== undefined && deletionGraceSeconds(this.ctx, pod) < inFlight) {
      void this.fastKill(uid, deletionGraceSeconds(this.ctx, pod));
    }
    this.schedule(uid, 0);
  }

  /** The pod is gone from the store: kill with grace 0 if still running, remove its containers, sandbox, volumes. */
  remove(uid: string): Promise<void> {
    let w = this.workers.get(uid);
    if (w === undefined) {
      // Not known (e.g. adopted, never claimed): clean up by uid.
      w = {
        state: { ...newPodState({ metadata: { uid }, spec: { containers: [] } }) },
        running: undefined,
        dirty: false,
        timer: undefined,
        timerAt: 0,
        errors: new Backoff({ initialMs: 500, maxMs: 30_000 }),
        removedWaiters: [],
      };
      this.workers.set(uid, w);
    }
    w.state.removed = true;
    void this.fastKill(uid, 0);
    const done = new Promise<void>((resolve) => w.removedWaiters.push(resolve));
    this.schedule(uid, 0);
    return done;
  }

  statusOf(uid: string): PodStatus | undefined {
    return this.workers.get(uid)?.state.status;
  }

  /** uids with a worker (desired pods, including those being deleted). */
  knownPods(): string[] {
    return [...this.workers.keys()];
  }

  /**
   * Lists the sandboxes and containers edged made before (e.g. before a restart). Nothing is restarted: when the
   * pod's update() arrives its worker finds them by label and keeps healthy containers. Pods that no source claims
   * are removed by GC only after markSourcesReady().
   */
  async adopt(): Promise<AdoptedPod[]> {
    const version = await this.deps.cri.version();
    this.runtimeName = version.runtimeName || 'containerd';
    const selector = { labelSelector: { [labels.MANAGED_BY]: 'true' } };
    const [sandboxes, containers] = await Promise.all([this.deps.cri.listPodSandbox(selector), this.deps.cri.listContainers(selector)]);
    const pods = new Map<string, AdoptedPod>();
    for (const s of sandboxes) {
      const uid = s.labels[labels.POD_UID];
      if (!uid) continue;
      const p = pods.get(uid) ?? { uid, namespace: s.metadata?.namespace ?? '', name: s.metadata?.name ?? '', sandboxIds: [], runningContainers: [] };
      p.sandboxIds.push(s.id);
      pods.set(uid, p);
    }
    for (const c of containers) {
      const p = pods.get(c.labels[labels.POD_UID] ?? '');
      if (p !== undefined && c.state === 1 /* CONTAINER_RUNNING */) p.runningContainers.push(c.id);
    }
    return [...pods.values()];
  }

  /** All pod sources have been read once: pods without a worker are really gone (GC may remove them). */
  markSourcesReady(): void {
    this.sourcesReady = true;
  }

  gc(): Promise<GcResult> {
    return collectGarbage(this.ctx, (uid) => this.workers.has(uid), this.sourcesReady);
  }

  /** Runs the relist, resync and GC loops until the signal aborts; then stops probes and timers (pods keep running). */
  async start(signal: AbortSignal): Promise<void> {
    try {
      this.runtimeName = (await this.deps.cri.version()).runtimeName || this.runtimeName;
    } catch (err) {
      this.deps.log.warn({ err }, 'container runtime not answering yet');
    }
    await Promise.all([this.relistLoop(signal), this.loop(signal, this.options.resyncMs, () => this.resyncAll()), this.loop(signal, this.options.gcIntervalMs, () => this.gc())]);
    this.closed = true;
    for (const w of this.workers.values()) {
      clearTimeout(w.timer);
      w.timer = undefined;
    }
    await Promise.all([...this.workers.values()].map((w) => w.running));
    for (const w of this.workers.values()) for (const h of w.state.probes.values()) h.stop();
  }

  private async relistLoop(signal: AbortSignal): Promise<void> {
    const pleg = new Pleg(this.deps.cri);
    while (!signal.aborted) {
      try {
        for (const uid of await pleg.relist()) if (this.workers.has(uid)) this.schedule(uid, 0);
      } catch (err) {
        this.deps.log.warn({ err }, 'relisting the container runtime failed');
      }
      await sleep(this.options.relistMs, signal).catch(() => undefined);
    }
  }

  private async loop(signal: AbortSignal, periodMs: number, fn: () => Promise<unknown>): Promise<void> {
    while (!signal.aborted) {
      await sleep(periodMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      try {
        await fn();
      } catch (err) {
        this.deps.log.warn({ err }, 'pod workers periodic task failed');
      }
    }
  }

  private async resyncAll(): Promise<void> {
    for (const uid of this.workers.keys()) this.schedule(uid, 0);
  }

  private schedule(uid: string, delayMs: number): void {
    const w = this.workers.get(uid);
    if (w === undefined || this.closed) return;
    if (delayMs <= 0) {
      clearTimeout(w.timer);
      w.timer = undefined;
      this.kick(uid, w);
      return;
    }
    const at = Date.now() + delayMs;
    if (w.timer !== undefined && w.timerAt <= at) return;
    clearTimeout(w.timer);
    w.timerAt = at;
    w.timer = setTimeout(() => {
      w.timer = undefined;
      this.kick(uid, w);
    }, delayMs);
    w.timer.unref();
  }

  private kick(uid: string, w: Worker): void {
    if (w.running !== undefined) {
      w.dirty = true;
      return;
    }
    w.running = this.run(uid, w).finally(() => {
      w.running = undefined;
      if (w.dirty && this.workers.get(uid) === w) {
        w.dirty = false;
        this.kick(uid, w);
      }
    });
  }

  private async run(uid: string, w: Worker): Promise<void> {
    w.dirty = false;
    // Only a sync that started as a removal cleaned up; a remove() during a normal sync sets dirty and runs again.
    const removing = w.state.removed;
    try {
      const result = await syncPod(this.ctx, w.state);
      w.errors.reset();
      if (removing) {
        clearTimeout(w.timer);
        this.workers.delete(uid);
        for (const resolve of w.removedWaiters) resolve();
        return;
      }
      if (result.requeueAfterMs !== undefined) this.schedule(uid, result.requeueAfterMs);
    } catch (err) {
      const delay = w.errors.next();
      this.deps.log.warn({ err, pod: `${w.state.pod.metadata.namespace}/${w.state.pod.metadata.name}`, uid, retryMs: delay }, 'pod sync failed');
      this.schedule(uid, delay);
    }
  }

  /** Stop the pod's containers now with a shorter grace, beside the sync in progress (CRI stop is idempotent). */
  private async fastKill(uid: string, graceSeconds: number): Promise<void> {
    try {
      const containers = await this.deps.cri.listContainers({ labelSelector: { [labels.POD_UID]: uid } });
      await Promise.all(containers.filter((c) => c.state === 1 || c.state === 0).map((c) => this.deps.cri.stopContainer(c.id, graceSeconds)));
    } catch (err) {
      this.deps.log.warn({ err, uid }, 'stopping containers failed');
    }
  }
}

