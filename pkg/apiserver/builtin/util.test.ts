import { goLabelSelector, goStringMap } from './util/go-syntax';
import { formatLabelSelector, selectorMatches, selectorString } from './util/label-selector';
import { canonicalQuantity, compareQuantities, parseQuantity } from './util/quantity';
import { canonicalMicroTime, canonicalTime } from './util/time';

describe('quantities', () => {
  test.each([
    ['0.5', '500m'],
    ['1000m', '1'],
    ['100m', '100m'],
    ['1', '1'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['2000000', '2M'],
    ['1.5', '1500m'],
    ['1Ki', '1Ki'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['512', '512'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['1E3', '1e3'],
    ['12e6', '12e6'],
    ['129M', '129M'],
    ['0', '0'],
    ['-1', '-1'],
    ['-100m', '-100m'],
    ['1n', '1n'],
    ['1u', '1u'],
    [2, '2'],
    [0.25, '250m'],
  ])('%p is written back as %p', (input, canonical) => expect(canonicalQuantity(input)).toBe(canonical));

  test('container resources are rounded up to milli units', () => {
    expect(canonicalQuantity('0.0001', true)).toBe('1m');
    expect(canonicalQuantity('1.0001', true)).toBe('1001m');
  });

  test('not quantities', () => {
    for (const bad of ['', 'lots', '1.2.3', '1Kb', 'Mi', '--1']) expect(parseQuantity(bad)).toBeUndefined();
  });

  test('comparison is exact across formats', () => {
    const q = (s: string) => parseQuantity(s) as NonNullable<ReturnType<typeof parseQuantity>>;
    expect(compareQuantities(q('1Gi'), q('1073741824'))).toBe(0);
    expect(compareQuantities(q('1G'), q('1Gi'))).toBe(-1);
    expect(compareQuantities(q('500m'), q('0.4'))).toBe(1);
  });
});

describe('label selectors', () => {
  const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }, { key: 'canary', operator: 'DoesNotExist' }] };

  test('string forms', () => {
    expect(selectorString(selector)).toBe('app=web,!canary,tier notin (db)');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe('<error>');
  });

  test('matching', () => {
    expect(selectorMatches(selector, { app: 'web' })).toBe(true);
    expect(selectorMatches(selector, { app: 'web', tier: 'db' })).toBe(false);
    expect(selectorMatches(selector, { app: 'web', canary: 'true' })).toBe(false);
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches(undefined, { app: 'web' })).toBe(false);
  });

  test('Go renderings used in messages', () => {
    expect(goStringMap({ b: '2', a: '1' })).toBe('map[string]string{"a":"1", "b":"2"}');
    expect(goStringMap(undefined)).toBe('map[string]string(nil)');
    expect(goLabelSelector({ matchExpressions: [{ key: 'k', operator: 'In', values: ['a', 'b'] }] })).toBe(
      'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"k", Operator:"In", Values:[]string{"a", "b"}}}}',
    );
  });
});

describe('timestamps', () => {
  test('Time is UTC to the second, MicroTime keeps six digits', () => {
    expect(canonicalTime('2024-06-01T14:00:00.987+02:00')).toBe('2024-06-01T12:00:00Z');
    expect(canonicalMicroTime('2024-06-01T12:00:00.1Z')).toBe('2024-06-01T12:00:00.100000Z');
    expect(canonicalMicroTime('2024-06-01T12:00:00.123456789Z')).toBe('2024-06-01T12:00:00.123456Z');
    expect(canonicalTime('yesterday')).toBe('yesterday');
  });
});
