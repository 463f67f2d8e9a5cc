/**
 * Random patches against a real-looking object: every call must either return JSON or throw a PatchError, and must
 * leave its (deep-frozen) inputs alone. Seeded, so a failure reproduces.
 */
import { PatchError } from './errors';
import { applyJsonPatch } from './json-patch';
import { applyMergePatch } from './merge-patch';
import { POD } from './schema/core';
import { applyStrategicMergePatch } from './strategic/apply';
import { deployment } from './testing/fixtures';
import { WORKLOAD } from './schema/registry';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const KEYS = ['metadata', 'spec', 'template', 'containers', 'name', 'env', 'ports', 'containerPort', 'finalizers',
  'volumes', '$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/env', '$deleteFromPrimitiveList/finalizers',
  '$setElementOrder', '$deleteFromPrimitiveList', 'image', 'value', '__proto__', 'constructor', 'conditions', 'type', '-', '0', '~1'];
const STRINGS = ['delete', 'replace', 'merge', 'web', 'sidecar', 'a', '', 'name', 'x/y', '/spec', '/metadata/name', '/spec/template/spec/containers/0', '/-'];

function value(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 4 || pick < 0.3) {
    const scalars = [null, true, false, 0, -1, 2.5, 80, 1e21, ...STRINGS];
    return scalars[Math.floor(r() * scalars.length)];
  }
  if (pick < 0.6) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 4); i > 0; i--) {
    Object.defineProperty(out, KEYS[Math.floor(r() * KEYS.length)], {
      value: value(r, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function jsonPatch(r: () => number): unknown {
  const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'nope'];
  const paths = ['', '/', '/metadata/name', '/spec/template/spec/containers/0/env/-', '/spec/template/spec/containers/-1',
    '/spec/replicas', '/status/conditions/5', '/x/y', 'noslash', '/metadata/labels/a~1b', '/spec/template/spec/containers/01'];
  return Array.from({ length: 1 + Math.floor(r() * 4) }, () => {
    const op: Record<string, unknown> = { op: ops[Math.floor(r() * ops.length)] };
    if (r() < 0.9) op.path = paths[Math.floor(r() * paths.length)];
    if (r() < 0.5) op.from = paths[Math.floor(r() * paths.length)];
    if (r() < 0.7) op.value = value(r, 2);
    return op;
  });
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const key of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[key]);
    Object.freeze(v);
  }
  return v;
}

function check(fn: () => unknown): 'ok' | 'error' {
  try {
    const out = fn();
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    return 'ok';
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    expect([400, 413, 415, 422, 500]).toContain(e.status);
    return 'error';
  }
}

describe('fuzzing the three patch types', () => {
  it('returns JSON or throws PatchError, and never mutates its inputs', () => {
    const r = rng(20240603);
    const seen = { ok: 0, error: 0 };
    const live = deepFreeze(deployment());
    const snapshot = JSON.stringify(live);
    for (let i = 0; i < 3000; i++) {
      const patch = deepFreeze(value(r, 0));
      const spec = deepFreeze({ spec: { template: { spec: value(r, 1) } }, metadata: value(r, 1) });
      const ops = deepFreeze(jsonPatch(r));
      for (const fn of [
        () => applyStrategicMergePatch(live, patch, WORKLOAD),
        () => applyStrategicMergePatch(live, spec, WORKLOAD),
        () => applyStrategicMergePatch(patch, spec, POD),
        () => applyMergePatch(live, patch),
        () => applyJsonPatch(live, ops),
        () => applyJsonPatch(live, patch),
      ]) {
        seen[check(fn)]++;
      }
    }
    expect(JSON.stringify(live)).toBe(snapshot);
    expect(seen.ok).toBeGreaterThan(1000);
    expect(seen.error).toBeGreaterThan(1000);
  });

  it('rejects nesting too deep to walk safely', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100000; i++) deep = { a: deep };
    expect(() => applyMergePatch({}, deep)).toThrow(PatchError);
    expect(() => applyStrategicMergePatch({}, deep, POD)).toThrow(PatchError);
  });
});
