/** Pure pieces of the pod workers: quantities, limits, QoS, back-off, phase. */
import { KeyedBackoff } from './backoff';
import { parseQuantity } from './quantity';
import { linuxLimits, qosClass } from './resources';
import { goDuration } from './sync';
import { pullPolicy } from './images';
import type { Pod } from '../api';

test('quantities', () => {
  expect(parseQuantity('100m')).toBeCloseTo(0.1);
  expect(parseQuantity('128Mi')).toBe(128 * 2 ** 20);
  expect(parseQuantity('1G')).toBe(1e9);
  expect(parseQuantity('1e3')).toBe(1000);
  expect(parseQuantity(2)).toBe(2);
  expect(() => parseQuantity('12 apples')).toThrow('is not a valid resource quantity');
});

test('limits like kubelet: shares from requests, quota from limits', () => {
  expect(linuxLimits({ name: 'c', resources: { requests: { cpu: '250m' }, limits: { cpu: '1', memory: '1Gi' } } })).toEqual({
    cpuPeriod: 100000,
    cpuQuota: 100000,
    cpuShares: 256,
    memoryLimitInBytes: BigInt(2 ** 30),
  });
  expect(linuxLimits({ name: 'c' })).toMatchObject({ cpuShares: 2, cpuQuota: 0, memoryLimitInBytes: 0n });
  expect(() => linuxLimits({ name: 'c', resources: { limits: { cpu: 'x' } } })).toThrow('resources.limits.cpu');
  expect(() => linuxLimits({ name: 'c', resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } })).toThrow(
    'memory request must be less than or equal to its limit',
  );
});

test('QoS class', () => {
  const pod = (resources: object): Pod => ({ metadata: {}, spec: { containers: [{ name: 'c', resources }] } });
  expect(qosClass(pod({}))).toBe('BestEffort');
  expect(qosClass(pod({ limits: { cpu: '1', memory: '1Gi' } }))).toBe('Guaranteed');
  expect(qosClass(pod({ requests: { cpu: '1' } }))).toBe('Burstable');
});

test('back-off: first retry at once, then doubling to the cap, forgotten after 2 * max idle', () => {
  let now = 0;
  const b = new KeyedBackoff({ initialMs: 10_000, maxMs: 40_000 }, () => now);
  expect(b.remainingSince('k', now)).toBe(0);
  b.next('k', now);
  expect(b.remainingSince('k', now)).toBe(10_000);
  now = 10_000;
  expect(b.remainingSince('k', 0)).toBe(0);
  b.next('k', now);
  b.next('k', now);
  b.next('k', now);
  expect(b.delayMs('k')).toBe(40_000);
  now = 200_000;
  b.next('k', now);
  expect(b.delayMs('k')).toBe(10_000);
});

test('kubelet wording helpers', () => {
  expect(goDuration(10_000)).toBe('10s');
  expect(goDuration(80_000)).toBe('1m20s');
  expect(goDuration(300_000)).toBe('5m0s');
  expect(pullPolicy({ name: 'c', image: 'busybox' })).toBe('Always');
  expect(pullPolicy({ name: 'c', image: 'busybox:latest' })).toBe('Always');
  expect(pullPolicy({ name: 'c', image: 'localhost:5000/busybox' })).toBe('Always');
  expect(pullPolicy({ name: 'c', image: 'busybox:1.35' })).toBe('IfNotPresent');
});
