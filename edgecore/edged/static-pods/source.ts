import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../../pkg/timing';
import type { Pod } from '../api';
import { parseManifest, stableJson, type ManifestProblem } from './manifest';

export type StaticPodEvent = { type: 'add' | 'update' | 'remove'; pod: Pod; file: string };

export interface StaticPodSourceOptions {
  /** edged staticPodPath (KubeEdge default /etc/kubeedge/manifests). A missing folder holds no pods. */
  dir: string;
  nodeName: string;
  /** How often the folder is read again; kubelet's fileCheckFrequency is 20 s. */
  pollMs?: number;
  /** Changes since the last scan, removals first; not called when nothing changed. */
  onEvents(events: StaticPodEvent[]): void;
  /** A manifest (or document) that is skipped; reported once per content of the file, not at every poll. */
  onProblem(problem: ManifestProblem): void;
}

const MANIFEST = /\.(ya?ml|json)$/i;

interface Known {
  pod: Pod;
  file: string;
  /** stableJson of the pod, to tell a real update from a re-read. */
  json: string;
}

/**
 * Static pods from manifest files (kubelet's file source). Pods are keyed by uid: an edited manifest yields a new
 * uid, so the change arrives as remove + add (kubelet restarts a static pod whose manifest changes); `update` happens
 * only for manifests that set metadata.uid themselves.
 */
export class StaticPodSource {
  private known = new Map<string, Known>();
  /** file -> hash of the content whose problems were reported. */
  private reported = new Map<string, string>();

  constructor(private readonly options: StaticPodSourceOptions) {}

  /** The static pods of the last scan. */
  pods(): Pod[] {
    return [...this.known.values()].map((k) => k.pod);
  }

  /** Reads the folder once and emits what changed; returns the events too. */
  async scan(): Promise<StaticPodEvent[]> {
    const next = new Map<string, Known>();
    const names = new Set<string>();
    const files = await this.manifestFiles();
    for (const file of files) {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while scanning
        this.problemsOf(file, String(err), [{ file, message: `${file}: cannot read: ${(err as Error).message}` }]);
        continue;
      }
      const { pods, problems } = parseManifest(file, text, this.options.nodeName);
      for (const pod of pods) {
        const fullName = `${pod.metadata.namespace}/${pod.metadata.name}`;
        if (names.has(fullName)) {
          problems.push({ file, message: `${file}: metadata.name: Duplicate value: pod ${fullName} is already defined by another manifest; rename one of them` });
          continue;
        }
        names.add(fullName);
        next.set(pod.metadata.uid as string, { pod, file, json: stableJson(pod) });
      }
      this.problemsOf(file, text, problems);
    }
    // A file that is gone and comes back with the same bad content is reported again.
    for (const file of this.reported.keys()) if (!files.includes(file)) this.reported.delete(file);

    const events: StaticPodEvent[] = [];
    for (const [uid, old] of this.known) if (!next.has(uid)) events.push({ type: 'remove', pod: old.pod, file: old.file });
    for (const [uid, now] of next) {
      const old = this.known.get(uid);
      if (old === undefined) events.push({ type: 'add', pod: now.pod, file: now.file });
      else if (old.json !== now.json) events.push({ type: 'update', pod: now.pod, file: now.file });
    }
    this.known = next;
    if (events.length > 0) this.options.onEvents(events);
    return events;
  }

  /** Scans now and then every pollMs until `signal` aborts (a runnable: resolves once stopped). */
  async start(signal: AbortSignal): Promise<void> {
    const pollMs = this.options.pollMs ?? 20_000;
    while (!signal.aborted) {
      await this.scan();
      await sleep(pollMs, signal).catch(() => undefined);
    }
  }

  private async manifestFiles(): Promise<string[]> {
    let entries;
    try {
      entries = await fs.readdir(this.options.dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    // Hidden files are editor swap files and the like; kubelet ignores them too.
    return entries
      .filter((e) => !e.name.startsWith('.') && MANIFEST.test(e.name) && (e.isFile() || e.isSymbolicLink()))
      .map((e) => join(this.options.dir, e.name))
      .sort();
  }

  private problemsOf(file: string, content: string, problems: ManifestProblem[]): void {
    const hash = createHash('sha1').update(content).digest('hex');
    if (problems.length === 0) {
      this.reported.delete(file);
      return;
    }
    if (this.reported.get(file) === hash) return;
    this.reported.set(file, hash);
    for (const problem of problems) this.options.onProblem(problem);
  }
}
