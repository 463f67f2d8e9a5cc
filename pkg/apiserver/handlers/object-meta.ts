/**
 * What the server itself sets and guards in metadata: uid, creationTimestamp, generation, generateName, and the fields a
 * client may not change on update. Mirrors the real API server's "prepare for create/update" step.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { KubeObject } from '../storage';

/** Metadata fields that only the server writes; an update cannot change them. Generation is the type's to manage. */
const SERVER_OWNED = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;

/** RFC 3339 in whole seconds, as metav1.Time marshals. Every write within one second stamps the same text: made once. */
export function rfc3339(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}
let lastSecond = Number.NaN;
let lastText = '';

/** generateName's suffix: 5 characters from the real server's alphabet (no vowels, no confusable digits). */
export function generateSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 5; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** The metadata a new object gets from the server, whatever the client sent. */
export function stampNew(object: KubeObject, now: Date): void {
  const meta = object.metadata;
  for (const field of SERVER_OWNED) delete meta[field];
  delete meta.resourceVersion;
  delete meta.generation;
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
}

/**
 * The object an update stores before the type's own rules run: the server-owned metadata (and generation, which the
 * type's own rules may bump) always comes from `old`; a /status write (`statusOnly`) changes only status and
 * metadata other than labels.
 */
export function carryOver(next: KubeObject, old: KubeObject, statusOnly: boolean): KubeObject {
  if (statusOnly) {
    // As the real status strategies do: everything but status and metadata stays as stored, and so do labels;
    // other metadata (annotations such as a Deployment's revision) comes from the request.
    const { metadata: _m, status: _s, ...stored } = structuredClone(old);
    next = { ...stored, metadata: { ...next.metadata }, status: next.status };
    if (old.metadata.labels === undefined) delete next.metadata.labels;
    else next.metadata.labels = structuredClone(old.metadata.labels);
  }
  for (const field of [...SERVER_OWNED, 'generation'] as const) {
    if (old.metadata[field] === undefined) delete next.metadata[field];
    else next.metadata[field] = old.metadata[field];
  }
  return next;
}

export const finalizersOf = (object: KubeObject): string[] => (object.metadata.finalizers as string[] | undefined) ?? [];

/** An object marked for deletion whose finalizers are all gone can be removed for good. */
export function readyToRemove(object: KubeObject): boolean {
  if (!object.metadata.deletionTimestamp || finalizersOf(object).length > 0) return false;
  if (object.kind === 'Namespace') {
    const specFinalizers = ((object.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length;
    return specFinalizers === 0;
  }
  return true;
}
