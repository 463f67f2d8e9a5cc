/** The edge update rules on a device record, without the module around them. */
import { applyEdgeUpdate } from './edge-update';
import { parseTwinUpdate } from './requests';
import { applySpecTwins, specTwins } from './spec';
import { newDevice, type DeviceRecord } from './types';
import { thermometer, thermometerModel } from '../testing/objects';
import { TwinError } from '../errors';

function device(): DeviceRecord {
  const object = thermometer();
  const record = newDevice('default', 'thermo-1', object, '{}');
  applySpecTwins(record, undefined, specTwins(object, thermometerModel(), () => {}), 1000);
  return record;
}

const update = (twin: unknown) => parseTwinUpdate({ event_id: 'e', twin });

describe('applyEdgeUpdate', () => {
  it('bumps the edge half of a version only when the value changes', () => {
    const d = device();
    applyEdgeUpdate(d, update({ temperature: { expected: { value: '25' }, actual: { value: '20' } } }), 2000);
    expect(d.twins.get('temperature')).toMatchObject({ expectedVersion: { cloud: 1, edge: 0 }, actualVersion: { cloud: 0, edge: 1 } });
    const changes = applyEdgeUpdate(d, update({ temperature: { expected: { value: '26' }, actual: { value: '20' } } }), 3000);
    expect(changes.changed).toEqual(['temperature']);
    expect(changes.result.temperature).toEqual({
      expected: { value: '26', metadata: { timestamp: 3000 } },
      optional: false,
      metadata: { type: 'int' },
    });
    expect(d.twins.get('temperature')).toMatchObject({ expectedVersion: { cloud: 1, edge: 1 }, actualVersion: { cloud: 0, edge: 1 } });
  });

  it('changes nothing when one twin of the update is refused', () => {
    const d = device();
    expect(() => applyEdgeUpdate(d, update({ temperature: { actual: { value: '1' } }, enabled: { actual: { value: 'no' } } }), 2000)).toThrow(TwinError);
    expect(d.twins.get('temperature')!.actual).toBeUndefined();
  });

  it('lets a twin become required but never optional again', () => {
    const d = device();
    applyEdgeUpdate(d, update({ extra: { actual: { value: 'a' } } }), 2000);
    expect(d.twins.get('extra')!.optional).toBe(true);
    applyEdgeUpdate(d, update({ extra: { optional: false } }), 2000);
    applyEdgeUpdate(d, update({ extra: { optional: true } }), 2000);
    expect(d.twins.get('extra')!.optional).toBe(false);
  });
});

describe('applySpecTwins', () => {
  it('applies a desired value only when the spec changed it, so an edge edit stands until the cloud changes its mind', () => {
    const d = device();
    applyEdgeUpdate(d, update({ temperature: { expected: { value: '22' } } }), 2000);
    const same = specTwins(thermometer(), thermometerModel(), () => {});
    expect(applySpecTwins(d, same, same, 3000).changed).toEqual([]);
    expect(d.twins.get('temperature')!.expected!.value).toBe('22');
    const changed = specTwins(thermometer({ temperature: '30' }), thermometerModel(), () => {});
    expect(applySpecTwins(d, same, changed, 4000).changed).toEqual(['temperature']);
    expect(d.twins.get('temperature')).toMatchObject({ expected: { value: '30', timestampMs: 4000 }, expectedVersion: { cloud: 2, edge: 1 } });
  });

  it('reports spec values that do not fit the twin type, and keeps the rest', () => {
    const problems: string[] = [];
    const twins = specTwins(thermometer({ temperature: 'hot' }), thermometerModel(), (field, problem) => problems.push(`${field}: ${problem}`));
    expect(problems).toEqual(['spec.properties[0].desired.value: "hot" is not an int (a 64-bit whole number such as 42)']);
    expect([...twins.keys()]).toEqual(['temperature', 'enabled']);
    expect(twins.get('temperature')).toEqual({ type: 'int' });
  });
});
