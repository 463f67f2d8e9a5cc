/**
 * Pod statuses on their way to the cloud. Only a status that differs from the last one sent goes out, and only while
 * the cloud is connected: offline, the newest status per pod waits here (never a backlog of old ones), and all of
 * them go out again on reconnect, since the cloud may have missed any of them.
 */
import type { Logger } from '../../pkg/log';
import type { Pod, PodStatus } from './api';

export interface StatusSink {
  podStatus(pod: Pod, status: PodStatus): Promise<void>;
}

interface Entry {
  pod: Pod;
  status: PodStatus;
  json: string;
  /** The JSON last handed to the cloud; '' when it still has to go. */
  sent: string;
}

export class StatusManager {
  private readonly entries = new Map<string, Entry>();
  private connected = false;

  constructor(
    private readonly sink: StatusSink,
    private readonly log: Logger,
  ) {}

  /** The newest status of `pod`; sent now if the cloud is connected and it changed. */
  set(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid ?? '';
    const json = JSON.stringify(status);
    const entry = this.entries.get(uid);
    if (entry !== undefined && entry.json === json) {
      entry.pod = pod;
      return;
    }
    const next: Entry = { pod, status, json, sent: entry?.sent ?? '' };
    this.entries.set(uid, next);
    if (this.connected) this.flush(next);
  }

  get(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  forget(uid: string): void {
    this.entries.delete(uid);
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    if (!connected) {
      for (const entry of this.entries.values()) entry.sent = '';
      return;
    }
    for (const entry of this.entries.values()) this.flush(entry);
  }

  private flush(entry: Entry): void {
    if (entry.sent === entry.json) return;
    entry.sent = entry.json;
    this.sink.podStatus(entry.pod, entry.status).catch((error: unknown) => {
      // The next change or reconnect sends it again.
      entry.sent = '';
      this.log.warn({ err: error, pod: `${entry.pod.metadata.namespace}/${entry.pod.metadata.name}` }, 'could not report a pod status');
    });
  }
}
