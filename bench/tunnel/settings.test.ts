import { benchObject, objectName, phaseOf, readMark } from './bench-content';
import { SettingsError } from '../phases';
import { readSettings } from './settings';

describe('tunnel bench settings', () => {
  it("has the issue's sizes by default", () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({ quick: false, nodes: 10_000, latencyNodes: 1000, latencyRatePerNode: 1, stormNodes: 5000, heartbeatMs: 15_000 });
  });

  it('shrinks everything with BENCH_QUICK=1, and an explicit variable still wins', () => {
    expect(readSettings({ BENCH_QUICK: '1' })).toMatchObject({ quick: true, nodes: 200, stormNodes: 200, latencyNodes: 100 });
    expect(readSettings({ BENCH_QUICK: '1', BENCH_NODES: '300' }).nodes).toBe(300);
  });

  it('refuses a value that is not a whole number, naming the variable and the fix', () => {
    expect(() => readSettings({ BENCH_NODES: '10k' })).toThrow(SettingsError);
    expect(() => readSettings({ BENCH_NODES: '10k' })).toThrow('BENCH_NODES="10k" is not a whole number >= 1; set it like BENCH_NODES=10000, or unset it');
    expect(() => readSettings({ BENCH_HEARTBEAT_MS: '50' })).toThrow('BENCH_HEARTBEAT_MS="50" is not a whole number >= 100');
  });

  it('keeps default phase sizes within BENCH_NODES', () => {
    expect(readSettings({ BENCH_NODES: '300' })).toMatchObject({ nodes: 300, throughputNodes: 300, latencyNodes: 300, stormNodes: 300 });
  });

  it('refuses a phase that needs more nodes than are connected', () => {
    expect(() => readSettings({ BENCH_NODES: '100', BENCH_STORM_NODES: '500' })).toThrow(
      'BENCH_STORM_NODES=500 is more than BENCH_NODES=100',
    );
  });
});

describe('tunnel bench content', () => {
  it('tells the phase from the resource, with or without the node prefix', () => {
    expect(phaseOf(`node/n1/bench/configmap/${objectName('burst', 7)}`)).toBe('burst');
    expect(phaseOf(`bench/configmap/${objectName('resync', 12)}`)).toBe('resync');
    expect(phaseOf('bench/configmap/latency-1')).toBeUndefined();
    expect(phaseOf('node/n1')).toBeUndefined();
  });

  it('reads back the mark it wrote, and nothing from foreign content', () => {
    const mark = { phase: 'latency' as const, node: 'n1', sentNs: '123' };
    expect(readMark(Buffer.from(JSON.stringify(benchObject(mark, 'l-1', 'u', '1', ''))))).toEqual(mark);
    expect(readMark(Buffer.from('{"data":{"phase":1}}'))).toBeUndefined();
    expect(readMark(Buffer.from('not json'))).toBeUndefined();
  });
});
