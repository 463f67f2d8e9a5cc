/** Random selector strings and structures: every parse returns a selector or throws SelectorError. Seeded. */
import { SelectorError } from './errors';
import { parseFieldSelector } from './field-selector';
import { POD_FIELDS } from './field-sets';
import { labelSelectorFromStructured, parseLabelSelector } from './label-selector';
import { compileNodeSelector } from './node-selector';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['a', 'b', 'app', 'x.io/k', ' ', ',', '=', '==', '!=', '!', '(', ')', 'in', 'notin', '>', '<', '5', '-1',
  '\\', '\\,', 'é', '\0', '$', '/', '.', 'metadata.name', 'spec.nodeName', 'toString', '__proto__'];

function check(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
  }
}

it('never throws anything but SelectorError', () => {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  for (let i = 0; i < 20000; i++) {
    const s = Array.from({ length: Math.floor(r() * 8) }, () => pick(PIECES)).join('');
    check(() => parseLabelSelector(s).matches({ a: 'b', app: '5' }));
    check(() => parseFieldSelector(s, POD_FIELDS).matches({ 'metadata.name': 'a' }));
    const expr = { key: pick(PIECES), operator: pick(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'x']), values: [pick(PIECES)] };
    check(() => labelSelectorFromStructured({ matchExpressions: [expr] }).matches({}));
    check(() => compileNodeSelector({ nodeSelectorTerms: [{ matchExpressions: [expr], matchFields: [expr] }] }).matches({}));
  }
});
