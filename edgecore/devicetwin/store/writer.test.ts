/** The write-behind store on a real SQLite file: batches, deletes, and a failing disk that heals. */
import { join } from 'node:path';
import type { Knex } from 'knex';
import { NOOP_METRICS } from '../metrics';
import { TwinState } from '../state/twin-state';
import { newDevice, newTwin } from '../state/types';
import { silentLog, tempDir } from '../testing/edge';
import { thermometer } from '../testing/objects';
import { loadStoredState } from './load';
import { openTwinDatabase } from './open';
import { TwinStoreWriter } from './writer';

describe('TwinStoreWriter', () => {
  let dir: ReturnType<typeof tempDir>;
  let knex: Knex;

  beforeEach(async () => {
    dir = tempDir();
    knex = await openTwinDatabase(join(dir.dir, 'edgecore.db'), silentLog);
  });

  afterEach(async () => {
    await knex.destroy();
    dir.cleanup();
  });

  function stateWithDevices(count: number): TwinState {
    const state = new TwinState();
    for (let i = 0; i < count; i++) {
      const device = newDevice('default', `d-${i}`, thermometer({ name: `d-${i}` }), '{}');
      for (const name of ['a', 'b', 'c']) {
        const twin = newTwin(name, 'int', true, false);
        twin.actual = { value: String(i), timestampMs: 1 };
        device.twins.set(name, twin);
      }
      state.devicesById.set(device.id, device);
    }
    return state;
  }

  it('writes hundreds of rows in one batch and reads them back', async () => {
    const state = stateWithDevices(500);
    const writer = new TwinStoreWriter(knex, state, { flushDelayMs: 1000, log: silentLog, metrics: NOOP_METRICS });
    for (const device of state.devices()) {
      writer.deviceChanged(device.id);
      for (const name of device.twins.keys()) writer.twinChanged(device.id, name);
    }
    expect(writer.pending).toBe(2000);
    await writer.flush();
    expect(writer.pending).toBe(0);
    const loaded = await loadStoredState(knex);
    expect(loaded.devices.size).toBe(500);
    expect(loaded.devices.get('default/d-321')!.twins.get('b')).toMatchObject({ actual: { value: '321', timestampMs: 1 }, type: 'int' });
    writer.deviceRemoved('default/d-0');
    state.devicesById.delete('default/d-0');
    await writer.close();
    expect(await knex('device_twin').where('deviceid', 'default/d-0').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('keeps the rows of a failed write, reports the failure, and writes them once the disk takes writes again', async () => {
    const state = stateWithDevices(1);
    const writer = new TwinStoreWriter(knex, state, { flushDelayMs: 5, log: silentLog, metrics: NOOP_METRICS });
    writer.deviceChanged('default/d-0');
    await writer.flush();
    await knex.raw('PRAGMA query_only = ON');
    state.device('default/d-0')!.twins.get('a')!.actual = { value: '99', timestampMs: 2 };
    writer.twinChanged('default/d-0', 'a');
    await expect(writer.flush()).rejects.toThrow(/readonly|read-only|query_only/i);
    expect(writer.failure).toBeDefined();
    expect(writer.pending).toBe(1);
    await knex.raw('PRAGMA query_only = OFF');
    await writer.flush();
    expect(writer.failure).toBeUndefined();
    expect(await knex('device_twin').where({ deviceid: 'default/d-0', name: 'a' }).first()).toMatchObject({ actual: '99' });
    await writer.close();
  });
});
