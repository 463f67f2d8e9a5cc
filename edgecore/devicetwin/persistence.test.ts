/**
 * Restarts: the twins, states and unsynced flags are in SQLite in KubeEdge's layout; a restart serves them again;
 * what the cloud changed while devicetwin was down reaches the mapper side (and only that); what the cloud had not
 * been sent is sent once it connects.
 */
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { eventually, settle, startTwinEdge, T0, tempDir, whileTwinIsDown, type TwinEdge } from './testing/edge';
import { thermometer, thermometerModel } from './testing/objects';

const DEV = '$hw/events/device/default/thermo-1';

describe('devicetwin across restarts', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let edge: TwinEdge | undefined;

  beforeEach(() => {
    dir = tempDir();
    file = join(dir.dir, 'edgecore.db');
  });

  afterEach(async () => {
    await edge?.stop();
    edge = undefined;
    dir.cleanup();
  });

  async function firstRun(): Promise<void> {
    edge = await startTwinEdge({ dataSource: file, dmiDir: dir.dir });
    await edge.cloud('insert', thermometerModel());
    await edge.cloud('insert', thermometer({ labels: { room: 'a-1', description: 'hall' } }));
    await edge.cloud('insert', thermometer({ name: 'thermo-2' }));
    // The cloud is away: these stay unsynced.
    await edge.mqtt(`${DEV}/twin/update`, { event_id: '1', twin: { temperature: { actual: { value: '21' } }, humidity: { actual: { value: '40' } } } });
    await edge.mqtt(`${DEV}/state/update`, { state: 'online' });
    await edge.nextPublish(`${DEV}/state/update/result`, 0);
    await edge.stop();
    edge = undefined;
  }

  function open(): Knex {
    return knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
  }

  it("writes KubeEdge's device, device_attr and device_twin rows, with the unsynced flags", async () => {
    await firstRun();
    const db = open();
    try {
      expect(await db('device').orderBy('id').select('id', 'name', 'description', 'state', 'last_online', 'state_unsynced')).toEqual([
        { id: 'default/thermo-1', name: 'thermo-1', description: 'hall', state: 'online', last_online: '2026-01-02T03:04:05Z', state_unsynced: 1 },
        { id: 'default/thermo-2', name: 'thermo-2', description: '', state: '', last_online: '', state_unsynced: 0 },
      ]);
      expect(await db('device_attr').select('deviceid', 'name', 'value', 'optional', 'attr_type', 'metadata')).toEqual([
        { deviceid: 'default/thermo-1', name: 'room', value: 'a-1', optional: 0, attr_type: 'string', metadata: '{}' },
      ]);
      const twins = await db('device_twin').where('deviceid', 'default/thermo-1').orderBy('name').select();
      expect(twins.map(({ id: _id, ...row }: { id: number }) => row)).toEqual([
        {
          deviceid: 'default/thermo-1',
          name: 'enabled',
          description: '',
          expected: null,
          actual: null,
          expected_meta: null,
          actual_meta: null,
          expected_version: null,
          actual_version: null,
          optional: 0,
          attr_type: 'boolean',
          metadata: '{}',
          from_spec: 1,
          unsynced: 0,
        },
        {
          deviceid: 'default/thermo-1',
          name: 'humidity',
          description: '',
          expected: null,
          actual: '40',
          expected_meta: null,
          actual_meta: `{"timestamp":${T0}}`,
          expected_version: null,
          actual_version: '{"cloud":0,"edge":1}',
          optional: 1,
          attr_type: 'string',
          metadata: '{}',
          from_spec: 0,
          unsynced: 1,
        },
        {
          deviceid: 'default/thermo-1',
          name: 'temperature',
          description: '',
          expected: '25',
          actual: '21',
          expected_meta: `{"timestamp":${T0}}`,
          actual_meta: `{"timestamp":${T0}}`,
          expected_version: '{"cloud":1,"edge":0}',
          actual_version: '{"cloud":0,"edge":1}',
          optional: 0,
          attr_type: 'int',
          metadata: '{}',
          from_spec: 1,
          unsynced: 1,
        },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('serves the stored twins after a restart and sends the unsynced ones when the cloud connects', async () => {
    await firstRun();
    edge = await startTwinEdge({ dataSource: file, dmiDir: dir.dir, clock: { ms: T0 + 60_000 } });
    await settle();
    // Nothing changed in the cloud: the mappers are not bothered.
    expect(edge.dmi!.summary()).toEqual([]);
    await edge.mqtt(`${DEV}/twin/get`, { event_id: 'g' });
    expect(await edge.nextPublish(`${DEV}/twin/get/result`)).toEqual({
      event_id: 'g',
      timestamp: T0 + 60_000,
      twin: {
        enabled: { optional: false, metadata: { type: 'boolean' } },
        humidity: { actual: { value: '40', metadata: { timestamp: T0 } }, optional: true, metadata: { type: 'string' } },
        temperature: {
          expected: { value: '25', metadata: { timestamp: T0 } },
          actual: { value: '21', metadata: { timestamp: T0 } },
          optional: false,
          metadata: { type: 'int' },
        },
      },
    });
    expect(edge.hub).toEqual([]);
    await edge.connect('cloud_connected');
    await eventually(() => edge!.hub.length >= 2);
    await settle();
    const twins = edge.toCloud('device/default/thermo-1/twin/edge_updated') as { twin: Record<string, object> }[];
    expect(twins).toHaveLength(1);
    expect(Object.keys(twins[0]!.twin).sort()).toEqual(['humidity', 'temperature']);
    expect(edge.toCloud('device/default/thermo-1/state/update')).toEqual([
      { event_id: expect.any(String), timestamp: T0 + 60_000, device: { name: 'thermo-1', state: 'online', lastOnlineTime: '2026-01-02T03:04:05Z' } },
    ]);
    expect(edge.hub.map((m) => m.route?.resource).sort()).toEqual([
      'device/default/thermo-1/state/update',
      'device/default/thermo-1/twin/edge_updated',
    ]);
    // Once sent, the flags are cleared on disk too: another restart sends nothing.
    await edge.stop();
    edge = await startTwinEdge({ dataSource: file, dmiDir: dir.dir });
    await edge.connect('cloud_connected');
    await settle(100);
    expect(edge.hub).toEqual([]);
  });

  it('reconciles with what the cloud changed while it was down', async () => {
    await firstRun();
    const model = thermometerModel('11');
    model.spec!.properties![0]!.unit = 'F';
    await whileTwinIsDown(file, [
      ['update', thermometer({ resourceVersion: '21', temperature: '30', labels: { room: 'a-1', description: 'hall' } })],
      ['delete', thermometer({ name: 'thermo-2', resourceVersion: '22' })],
      ['insert', thermometer({ name: 'thermo-3', resourceVersion: '23' })],
      ['update', model],
    ]);
    edge = await startTwinEdge({ dataSource: file, dmiDir: dir.dir, clock: { ms: T0 + 1000 } });
    await settle();
    expect(edge.dmi!.summary()).toEqual([
      'modelUpdated default/thermometer',
      'deviceUpdated default/thermo-1',
      'deviceAdded default/thermo-3',
      'deviceRemoved default/thermo-2',
    ]);
    await edge.mqtt(`${DEV}/twin/get`, { event_id: 'g' });
    const get = (await edge.nextPublish(`${DEV}/twin/get/result`)) as { twin: { temperature: object } };
    expect(get.twin.temperature).toEqual({
      expected: { value: '30', metadata: { timestamp: T0 + 1000 } },
      actual: { value: '21', metadata: { timestamp: T0 } },
      optional: false,
      metadata: { type: 'int' },
    });
    // The devices handed to the mapper side are metamanager's objects, labels and all.
    expect(edge.dmi!.calls[1]!.object.metadata?.labels).toEqual({ room: 'a-1', description: 'hall' });
    await edge.stop();
    edge = undefined;
    const db = open();
    try {
      expect((await db('device').select('id')).map((r: { id: string }) => r.id).sort()).toEqual(['default/thermo-1', 'default/thermo-3']);
      expect(await db('device_twin').where('deviceid', 'default/thermo-2').count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await db.destroy();
    }
  });
});
