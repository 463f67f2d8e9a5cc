import { parseResourceVersion } from './resource-version';

test('resourceVersions are unsigned 64-bit integers, compared beyond 2^53', () => {
  expect(parseResourceVersion('18446744073709551615')).toBe(18446744073709551615n);
  expect(parseResourceVersion('9007199254740993')! > parseResourceVersion('9007199254740992')!).toBe(true);
  expect(parseResourceVersion('10')! > parseResourceVersion('9')!).toBe(true);
});

test.each(['', '-1', '1.5', 'abc', ' 1', '18446744073709551616', '1'.repeat(21)])('%j is not a resourceVersion', (bad) => {
  expect(parseResourceVersion(bad)).toBeUndefined();
});

test('a missing version is not one', () => {
  expect(parseResourceVersion(undefined)).toBeUndefined();
});
