import type { Pod } from '../api';
import type { ObjectSource } from '../object-source';
import { PayloadError } from './payload';

/** kubelet asks for 1 h tokens (3607 s: an hour plus the API server's slack) unless the source says otherwise. */
const DEFAULT_EXPIRATION_SECONDS = 3607;

interface Cached {
  token: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

/**
 * Projected service account tokens per pod, volume and path. A token is renewed once 80 % of its lifetime has
 * passed or it is older than 24 h, as kubelet's token manager does, so refreshes between do not ask the cloud.
 */
export class TokenCache {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly objects: ObjectSource,
    private readonly now: () => number,
  ) {}

  async get(pod: Pod, volumeName: string, source: { audience?: string; expirationSeconds?: number; path: string }): Promise<string> {
    const uid = pod.metadata.uid ?? '';
    const key = `${uid}/${volumeName}/${source.path}`;
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached !== undefined && !needsRenewal(cached, now)) return cached.token;

    const serviceAccountName = pod.spec.serviceAccountName || 'default';
    const ask = this.objects.serviceAccountToken?.bind(this.objects);
    if (ask === undefined) {
      throw new PayloadError(`failed to fetch token: this edge node cannot request service account tokens; set automountServiceAccountToken: false on the pod or remove the serviceAccountToken source`);
    }
    const expirationSeconds = source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    let answer;
    try {
      answer = await ask({
        namespace: pod.metadata.namespace ?? 'default',
        serviceAccountName,
        ...(source.audience ? { audience: source.audience } : {}),
        expirationSeconds,
        boundPod: { name: pod.metadata.name ?? '', uid },
      });
    } catch (err) {
      if (cached !== undefined && cached.expiresAtMs > now) return cached.token; // offline: the old token is still valid
      throw new PayloadError(`failed to fetch token: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (answer === undefined) {
      if (cached !== undefined && cached.expiresAtMs > now) return cached.token;
      throw new PayloadError(`failed to fetch token: serviceaccounts "${serviceAccountName}" not found`);
    }
    const parsed = answer.expirationTimestamp === undefined ? NaN : Date.parse(answer.expirationTimestamp);
    const expiresAtMs = Number.isFinite(parsed) ? parsed : now + expirationSeconds * 1000;
    this.cache.set(key, { token: answer.token, issuedAtMs: now, expiresAtMs });
    return answer.token;
  }

  forget(uid: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${uid}/`)) this.cache.delete(key);
  }
}

function needsRenewal(cached: Cached, now: number): boolean {
  const lifetime = cached.expiresAtMs - cached.issuedAtMs;
  return now >= cached.issuedAtMs + lifetime * 0.8 || now - cached.issuedAtMs > 24 * 3600 * 1000;
}
