/**
 * Pod lifecycle event generator (kubelet's generic PLEG): lists our sandboxes and containers every relist period
 * and reports the pod uids whose runtime state changed since the last list, so a container exit is noticed within
 * one period without a watch API. Two CRI calls per period, whatever the number of pods.
 */
import type { CriClient } from '../cri';
import * as labels from '../cri/labels';

export class Pleg {
  private last = new Map<string, string>();

  constructor(private readonly cri: CriClient) {}

  /** uids whose sandboxes or containers appeared, changed state or disappeared. */
  async relist(): Promise<Set<string>> {
    const selector = { labelSelector: { [labels.MANAGED_BY]: 'true' } };
    const [sandboxes, containers] = await Promise.all([this.cri.listPodSandbox(selector), this.cri.listContainers(selector)]);
    const now = new Map<string, string>();
    for (const s of sandboxes) now.set(`s/${s.id}`, `${s.labels[labels.POD_UID] ?? ''}|${s.state}`);
    for (const c of containers) now.set(`c/${c.id}`, `${c.labels[labels.POD_UID] ?? ''}|${c.state}`);
    const changed = new Set<string>();
    for (const [id, value] of now) if (this.last.get(id) !== value) changed.add(value.slice(0, value.indexOf('|')));
    for (const [id, value] of this.last) if (!now.has(id)) changed.add(value.slice(0, value.indexOf('|')));
    this.last = now;
    changed.delete('');
    return changed;
  }
}
