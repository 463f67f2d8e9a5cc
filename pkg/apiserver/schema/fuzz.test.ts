/**
 * Random inputs (seeded, so failures replay): every entry point returns errors or values, and never throws on
 * bad input. The only exception allowed is the documented SchemaError of the JSONPath parser.
 */
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './crd-validation';
import { compileCustomResourceVersion } from './custom-resource';
import { SchemaError, type FieldError } from './errors';
import { parseJsonPath } from './jsonpath';
import { groupVersionOpenApiV3 } from './openapi';
import { compileRe2 } from './regex';
import { validateValue } from './validate-schema';
import { crd } from './testdata/crontab';
import { deviceCrd, sampleDevice } from './testdata/device-crd';

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['type', 'properties', 'items', 'required', 'enum', 'pattern', 'format', 'default', 'nullable', 'spec', 'status', 'metadata', 'name',
  'kind', 'apiVersion', 'minimum', 'maximum', 'maxLength', 'additionalProperties', 'anyOf', 'allOf', 'not', 'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-list-type', '__proto__', 'constructor', 'toString', ''];
const STRINGS = ['', 'object', 'string', 'integer', 'number', 'array', 'boolean', 'null', 'date-time', 'int32', 'byte', '^a+$', '(?=x)', '[',
  'v1', 'Cron', 'a/b', '\u0000', '😀', 'Namespaced', '.spec.replicas', '{.a}', '$'];
const NUMBERS = [0, -0, 1, -1, 0.5, 3, 10, 2 ** 31, 2 ** 53 + 2, 1e21, 1e300, -1e-7, 123456789.125];

function randomJson(next: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const r = next();
  if (depth <= 0 || r < 0.35) {
    const k = next();
    if (k < 0.2) return null;
    if (k < 0.35) return next() < 0.5;
    if (k < 0.65) return pick(NUMBERS);
    return pick(STRINGS);
  }
  if (r < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => randomJson(next, depth - 1));
  const obj: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const n = Math.floor(next() * 5);
  for (let i = 0; i < n; i++) obj[pick(KEYS)] = randomJson(next, depth - 1);
  return JSON.parse(JSON.stringify(obj)) as unknown; // as a JSON body would decode it
}

/** Replaces one random node of `value` with random JSON. */
function mutate(value: unknown, next: () => number): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let node: unknown = copy;
  for (let depth = 0; depth < 12; depth++) {
    if (typeof node !== 'object' || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const k = keys[Math.floor(next() * keys.length)];
    const child = (node as Record<string, unknown>)[k];
    if (next() < 0.3 || typeof child !== 'object' || child === null) {
      (node as Record<string, unknown>)[k] = randomJson(next, 3);
      break;
    }
    node = child;
  }
  return copy;
}

function wellFormed(errors: FieldError[]): void {
  for (const e of errors) {
    expect(typeof e.field).toBe('string');
    expect(typeof e.message).toBe('string');
    expect(e.type).toMatch(/^(FieldValue\w+|InternalError)$/);
  }
}

const ROUNDS = 400;

describe('fuzzing', () => {
  it('validates random values against random schemas without throwing', () => {
    const next = rng(1);
    for (let i = 0; i < ROUNDS; i++) wellFormed(validateValue(randomJson(next, 5), randomJson(next, 5)));
  });

  it('validates, prunes and defaults random objects against real CRDs without throwing', () => {
    const next = rng(2);
    const versions = [compileCustomResourceVersion(deviceCrd(), 'v1beta1', { now: () => 0 }), compileCustomResourceVersion(crd(), 'v1', { now: () => 0 })];
    for (let i = 0; i < ROUNDS; i++) {
      for (const v of versions) {
        const input = next() < 0.5 ? mutate(sampleDevice(), next) : randomJson(next, 5);
        const pruned = v.prune(input);
        wellFormed(v.validate(v.applyDefaults(pruned.value)));
        wellFormed(v.validateStatus(input));
        wellFormed(v.validateUpdate(input, pruned.value));
        v.toTable([input, pruned.value]);
      }
    }
  });

  it('validates random and mutated CRDs without throwing', () => {
    const next = rng(3);
    for (let i = 0; i < ROUNDS; i++) {
      const candidate = next() < 0.7 ? mutate(next() < 0.5 ? deviceCrd() : crd(), next) : randomJson(next, 6);
      wellFormed(validateCustomResourceDefinition(candidate));
      wellFormed(validateCustomResourceDefinitionUpdate(candidate, deviceCrd()));
      groupVersionOpenApiV3([candidate], 'devices.kubeedge.io', 'v1beta1');
    }
  });

  it('parses random patterns and JSONPaths without unexpected exceptions', () => {
    const next = rng(4);
    const alphabet = ['a', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '\\', '^', '$', '|', '-', ':', '=', '!', '<', '>', '@', "'", '"', '1', ',', 'p', 'Q', 'E'];
    for (let i = 0; i < ROUNDS * 5; i++) {
      const text = Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const compiled = compileRe2(text);
      if (compiled.ok) compiled.regex.test('abc');
      else expect(compiled.error).toMatch(/^error parsing regexp: /);
      try {
        parseJsonPath(text);
      } catch (err) {
        expect(err).toBeInstanceOf(SchemaError);
      }
    }
  });
});
