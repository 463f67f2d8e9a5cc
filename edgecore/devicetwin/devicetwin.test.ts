/**
 * devicetwin in a real module runtime with a real metamanager on a temp SQLite file: devices arrive as the cloud sends
 * them, apps talk on KubeEdge's topics (as eventbus delivers them), and what devicetwin publishes and sends to the
 * cloud is asserted as exact topics and JSON.
 */
import { join } from 'node:path';
import knexFactory from 'knex';
import { membershipTopic } from '../../pkg/devices/topics';
import { newMessage } from '../../pkg/message';
import { eventually, settle, startTwinEdge, T0, tempDir, type TwinEdge } from './testing/edge';
import { thermometer, thermometerModel } from './testing/objects';

const DEV = '$hw/events/device/default/thermo-1';
const TEMPERATURE_25 = { value: '25', metadata: { timestamp: T0 } };

describe('devicetwin', () => {
  let dir: ReturnType<typeof tempDir>;
  let edge: TwinEdge;
  let file: string;

  beforeEach(async () => {
    dir = tempDir();
    file = join(dir.dir, 'edgecore.db');
    edge = await startTwinEdge({ dataSource: file, dmiDir: dir.dir });
    await edge.cloud('insert', thermometerModel());
    await edge.cloud('insert', thermometer());
  });

  afterEach(async () => {
    await edge.stop();
    dir.cleanup();
  });

  it('takes a Device from the cloud: membership, spec twins, document and delta, and tells the mapper side', async () => {
    const document = await edge.nextPublish(`${DEV}/twin/update/document`, 0);
    expect(document).toEqual({
      event_id: '',
      timestamp: T0,
      twin: {
        temperature: { last: null, current: { expected: TEMPERATURE_25, optional: false, metadata: { type: 'int' } } },
        enabled: { last: null, current: { optional: false, metadata: { type: 'boolean' } } },
      },
    });
    expect(edge.published(`${DEV}/twin/update/delta`)).toEqual([
      {
        event_id: expect.any(String),
        timestamp: T0,
        twin: { temperature: { expected: TEMPERATURE_25, optional: false, metadata: { type: 'int' } } },
        delta: { temperature: '25' },
      },
    ]);
    expect(edge.published(membershipTopic('edge-1', 'updated'))).toEqual([
      {
        event_id: expect.any(String),
        timestamp: T0,
        added_devices: [
          {
            id: 'default/thermo-1',
            name: 'thermo-1',
            twin: {
              temperature: { expected: TEMPERATURE_25, optional: false, metadata: { type: 'int' } },
              enabled: { optional: false, metadata: { type: 'boolean' } },
            },
          },
        ],
        removed_devices: [],
      },
    ]);
    expect(edge.dmi!.summary()).toEqual(['modelAdded default/thermometer', 'deviceAdded default/thermo-1']);
    expect(edge.dmi!.calls[1]!.object.spec).toEqual(thermometer().spec);
  });

  it('answers twin/get with every live twin, without versions', async () => {
    await edge.mqtt(`${DEV}/twin/get`, { event_id: 'g1', timestamp: 1 });
    expect(await edge.nextPublish(`${DEV}/twin/get/result`)).toEqual({
      event_id: 'g1',
      timestamp: T0,
      twin: {
        temperature: { expected: TEMPERATURE_25, optional: false, metadata: { type: 'int' } },
        enabled: { optional: false, metadata: { type: 'boolean' } },
      },
    });
  });

  it('applies an app twin update: result, document, no delta once actual meets expected, edge_updated to the cloud', async () => {
    await edge.connect('cloud_connected');
    await edge.nextPublish(`${DEV}/twin/update/delta`, 0);
    edge.clock.ms = T0 + 1000;
    await edge.mqtt(`${DEV}/twin/update`, { event_id: 'u1', timestamp: 5, twin: { temperature: { actual: { value: '25' } } } });
    const actual = { value: '25', metadata: { timestamp: T0 + 1000 } };
    expect(await edge.nextPublish(`${DEV}/twin/update/result`)).toEqual({
      event_id: 'u1',
      timestamp: T0 + 1000,
      twin: { temperature: { actual, optional: false, metadata: { type: 'int' } } },
    });
    expect(await edge.nextPublish(`${DEV}/twin/update/document`, 1)).toEqual({
      event_id: 'u1',
      timestamp: T0 + 1000,
      twin: {
        temperature: {
          last: { expected: TEMPERATURE_25, optional: false, metadata: { type: 'int' } },
          current: { expected: TEMPERATURE_25, actual, optional: false, metadata: { type: 'int' } },
        },
      },
    });
    await settle();
    expect(edge.published(`${DEV}/twin/update/delta`)).toHaveLength(1);
    expect(edge.toCloud('device/default/thermo-1/twin/edge_updated')).toEqual([
      {
        event_id: expect.any(String),
        timestamp: T0 + 1000,
        twin: {
          temperature: {
            expected: TEMPERATURE_25,
            actual,
            optional: false,
            metadata: { type: 'int' },
            expected_version: { cloud: 1, edge: 0 },
            actual_version: { cloud: 0, edge: 1 },
          },
        },
      },
    ]);
    const message = edge.hub.find((m) => m.route?.resource === 'device/default/thermo-1/twin/edge_updated')!;
    expect(message.route).toMatchObject({ source: 'devicetwin', group: 'twin' });
    expect(message.contentType).toBe('application/json');
  });

  it('does not count a repeated value as a change: no document, no message to the cloud', async () => {
    await edge.connect('cloud_connected');
    await edge.mqtt(`${DEV}/twin/update`, { event_id: 'a', twin: { temperature: { actual: { value: '21' } } } });
    await edge.nextPublish(`${DEV}/twin/update/result`, 0);
    const documents = edge.published(`${DEV}/twin/update/document`).length;
    await edge.mqtt(`${DEV}/twin/update`, { event_id: 'b', twin: { temperature: { actual: { value: '21' } } } });
    expect(await edge.nextPublish(`${DEV}/twin/update/result`, 1)).toEqual({ event_id: 'b', timestamp: T0, twin: {} });
    await settle();
    expect(edge.published(`${DEV}/twin/update/document`)).toHaveLength(documents);
    expect(edge.toCloud('device/default/thermo-1/twin/edge_updated')).toHaveLength(1);
  });

  it('adds, deletes and revives an app twin (optional by default), keeping its versions', async () => {
    await edge.mqtt(`${DEV}/twin/update`, { event_id: 'n', twin: { humidity: { actual: { value: '40' }, metadata: { type: 'float' } } } });
    expect(await edge.nextPublish(`${DEV}/twin/update/result`, 0)).toEqual({
      event_id: 'n',
      timestamp: T0,
      twin: { humidity: { actual: { value: '40', metadata: { timestamp: T0 } }, optional: true, metadata: { type: 'float' } } },
    });
    await edge.mqtt(`${DEV}/twin/update`, { event_id: 'd', twin: { humidity: null } });
    expect(await edge.nextPublish(`${DEV}/twin/update/result`, 1)).toEqual({ event_id: 'd', timestamp: T0, twin: { humidity: null } });
    expect(edge.published(`${DEV}/twin/update/document`).at(-1)).toEqual({
      event_id: 'd',
      timestamp: T0,
      twin: {
        humidity: {
          last: { actual: { value: '40', metadata: { timestamp: T0 } }, optional: true, metadata: { type: 'float' } },
          current: null,
        },
      },
    });
    await edge.mqtt(`${DEV}/twin/get`, { event_id: 'g' });
    const get = (await edge.nextPublish(`${DEV}/twin/get/result`, 0)) as { twin: Record<string, unknown> };
    expect(Object.keys(get.twin).sort()).toEqual(['enabled', 'temperature']);
    // Deleted twins keep their row and versions, so a revival continues the count.
    await edge.mqtt(`${DEV}/twin/update`, { event_id: 'r', twin: { humidity: { actual: { value: '41' } } } });
    await edge.nextPublish(`${DEV}/twin/update/result`, 2);
    await edge.connect('cloud_connected');
    await eventually(() => edge.toCloud('device/default/thermo-1/twin/edge_updated').length > 0);
    const sent = edge.toCloud('device/default/thermo-1/twin/edge_updated') as { twin: Record<string, unknown> }[];
    expect(sent.at(-1)!.twin.humidity).toEqual({
      actual: { value: '41', metadata: { timestamp: T0 } },
      optional: true,
      metadata: { type: 'string' },
      actual_version: { cloud: 0, edge: 3 },
    });
  });

  it('takes a state update: result on MQTT, lower-cased, last_online in RFC 3339 UTC, state/update to the cloud', async () => {
    await edge.connect('cloud_connected');
    await edge.mqtt(`${DEV}/state/update`, { event_id: 's1', timestamp: 1, state: 'ONLINE' });
    const lastOnline = '2026-01-02T03:04:05Z';
    expect(await edge.nextPublish(`${DEV}/state/update/result`)).toEqual({
      event_id: 's1',
      timestamp: T0,
      device: { name: 'thermo-1', state: 'online', last_online: lastOnline },
    });
    await settle();
    expect(edge.toCloud('device/default/thermo-1/state/update')).toEqual([
      { event_id: expect.any(String), timestamp: T0, device: { name: 'thermo-1', state: 'online', lastOnlineTime: lastOnline } },
    ]);
    // offline keeps the last time it was online; the new state goes to the cloud at once.
    edge.clock.ms = T0 + 5000;
    await edge.mqtt(`${DEV}/state/update`, { State: 'offline' });
    expect(await edge.nextPublish(`${DEV}/state/update/result`, 1)).toEqual({
      event_id: expect.any(String),
      timestamp: T0 + 5000,
      device: { name: 'thermo-1', state: 'offline', last_online: lastOnline },
    });
    await edge.mqtt(`${DEV}/state/get`, { event_id: 'sg' });
    expect(await edge.nextPublish(`${DEV}/state/get/result`)).toEqual({
      event_id: 'sg',
      timestamp: T0 + 5000,
      device: { name: 'thermo-1', state: 'offline', last_online: lastOnline },
    });
    await settle();
    expect((edge.toCloud('device/default/thermo-1/state/update') as { device: object }[]).map((m) => m.device)).toEqual([
      { name: 'thermo-1', state: 'online', lastOnlineTime: lastOnline },
      { name: 'thermo-1', state: 'offline', lastOnlineTime: lastOnline },
    ]);
  });

  it('sends a state that only refreshes last_online to the cloud at most once per stateRefresh', async () => {
    await edge.connect('cloud_connected');
    for (const [i, offsetMs] of [0, 1000, 2000, 61_000].entries()) {
      edge.clock.ms = T0 + offsetMs;
      await edge.mqtt(`${DEV}/state/update`, { state: 'online' });
      await edge.nextPublish(`${DEV}/state/update/result`, i);
    }
    await settle();
    expect((edge.toCloud('device/default/thermo-1/state/update') as { device: { lastOnlineTime: string } }[]).map((m) => m.device.lastOnlineTime)).toEqual([
      '2026-01-02T03:04:05Z',
      '2026-01-02T03:05:06Z',
    ]);
  });

  it('answers membership/get for this node with its devices, and ignores other nodes', async () => {
    await edge.cloud('insert', thermometer({ name: 'thermo-2', labels: { description: 'spare', room: 'a-12' } }));
    await edge.mqtt(membershipTopic('edge-1', 'get'), { event_id: 'm1' });
    await edge.mqtt(membershipTopic('edge-2', 'get'), { event_id: 'm2' });
    expect(await edge.nextPublish(membershipTopic('edge-1', 'get/result'))).toEqual({
      event_id: 'm1',
      timestamp: T0,
      devices: [
        { id: 'default/thermo-1', name: 'thermo-1' },
        {
          id: 'default/thermo-2',
          name: 'thermo-2',
          description: 'spare',
          attributes: { room: { value: 'a-12', optional: false, metadata: { type: 'string' } } },
        },
      ],
    });
    await settle();
    expect(edge.published(membershipTopic('edge-2', 'get/result'))).toEqual([]);
    expect(await edge.counter('devicetwin_ignored_total', { reason: 'other_node' })).toBe(1);
  });

  it('applies a desired value changed in the cloud: expected and its cloud version, document and delta, deviceUpdated', async () => {
    await edge.connect('cloud_connected');
    await edge.mqtt(`${DEV}/twin/update`, { twin: { temperature: { actual: { value: '25' } } } });
    await edge.nextPublish(`${DEV}/twin/update/result`, 0);
    await settle();
    const toCloud = edge.hub.length;
    edge.clock.ms = T0 + 2000;
    await edge.cloud('update', thermometer({ resourceVersion: '21', temperature: '30' }));
    const expected = { value: '30', metadata: { timestamp: T0 + 2000 } };
    expect(await edge.nextPublish(`${DEV}/twin/update/delta`, 1)).toEqual({
      event_id: expect.any(String),
      timestamp: T0 + 2000,
      twin: { temperature: { expected, actual: TEMPERATURE_25, optional: false, metadata: { type: 'int' } } },
      delta: { temperature: '30' },
    });
    expect(edge.published(`${DEV}/twin/update/document`).at(-1)).toEqual({
      event_id: '',
      timestamp: T0 + 2000,
      twin: {
        temperature: {
          last: { expected: TEMPERATURE_25, actual: TEMPERATURE_25, optional: false, metadata: { type: 'int' } },
          current: { expected, actual: TEMPERATURE_25, optional: false, metadata: { type: 'int' } },
        },
      },
    });
    expect(edge.dmi!.summary().at(-1)).toBe('deviceUpdated default/thermo-1');
    // The cloud's own change is not echoed back to it.
    await settle();
    expect(edge.hub.length).toBe(toCloud);
    await edge.runtime.stop(5000);
    const db = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
    try {
      const row = await db('device_twin').where({ deviceid: 'default/thermo-1', name: 'temperature' }).first();
      expect(row).toMatchObject({
        expected: '30',
        actual: '25',
        expected_version: '{"cloud":2,"edge":0}',
        actual_version: '{"cloud":0,"edge":1}',
        attr_type: 'int',
        optional: 0,
      });
    } finally {
      await db.destroy();
    }
  });

  it('calls deviceUpdated only when the spec changed, never for status, labels or a bare resourceVersion bump', async () => {
    await edge.cloud('update', thermometer({ resourceVersion: '21', status: { reportToCloud: true } }));
    await edge.cloud('update', thermometer({ resourceVersion: '22', labels: { room: 'b-3' } }));
    expect(await edge.nextPublish(`${DEV}/updated`, 0)).toEqual({
      event_id: expect.any(String),
      timestamp: T0,
      attributes: { room: { value: 'b-3', optional: false, metadata: { type: 'string' } } },
    });
    await edge.cloud('update', thermometer({ resourceVersion: '23', labels: { room: 'b-3' }, protocol: 'modbus-tcp' }));
    await settle();
    expect(edge.dmi!.summary()).toEqual([
      'modelAdded default/thermometer',
      'deviceAdded default/thermo-1',
      'deviceUpdated default/thermo-1',
    ]);
  });

  it('drops a notice older than the device it has (a late or replayed update)', async () => {
    await edge.cloud('update', thermometer({ resourceVersion: '25', temperature: '26' }));
    await settle();
    // metamanager itself refuses a stale version from the cloud; devicetwin guards its own copy the same way.
    await edge.runtime.send(
      'devicetwin',
      newMessage({
        source: 'metamanager',
        group: 'resource',
        operation: 'update',
        resource: 'default/device/thermo-1',
        resourceVersion: '21',
        content: Buffer.from(JSON.stringify(thermometer({ resourceVersion: '21', temperature: '99' }))),
      }),
    );
    await settle();
    expect(await edge.counter('devicetwin_ignored_total', { reason: 'stale_notice' })).toBe(1);
    await edge.mqtt(`${DEV}/twin/get`, {});
    const get = (await edge.nextPublish(`${DEV}/twin/get/result`, 0)) as { twin: { temperature: { expected: { value: string } } } };
    expect(get.twin.temperature.expected.value).toBe('26');
  });

  it('removes a deleted device: deviceRemoved, membership/updated, then 404 for its topics', async () => {
    await edge.cloud('delete', thermometer({ resourceVersion: '30' }));
    expect(await edge.nextPublish(membershipTopic('edge-1', 'updated'), 1)).toEqual({
      event_id: expect.any(String),
      timestamp: T0,
      added_devices: [],
      removed_devices: [expect.objectContaining({ id: 'default/thermo-1', name: 'thermo-1' })],
    });
    expect(edge.dmi!.summary().at(-1)).toBe('deviceRemoved default/thermo-1');
    await edge.mqtt(`${DEV}/twin/update`, { event_id: 'x', twin: { temperature: { actual: { value: '1' } } } });
    expect(await edge.nextPublish(`${DEV}/twin/update/result`)).toEqual({
      event_id: 'x',
      timestamp: T0,
      code: 404,
      reason: 'device default/thermo-1: no such device on node edge-1; devices come from the cloud (kubectl get devices -n default)',
    });
  });

  it('removes a device updated to another node (a resend that raced the cloud\'s delete) as a delete would', async () => {
    await edge.cloud('update', thermometer({ resourceVersion: '31', nodeName: 'edge-2' }));
    expect(await edge.nextPublish(membershipTopic('edge-1', 'updated'), 1)).toMatchObject({
      added_devices: [],
      removed_devices: [expect.objectContaining({ id: 'default/thermo-1' })],
    });
    expect(edge.dmi!.summary().at(-1)).toBe('deviceRemoved default/thermo-1');
  });

  it('passes model changes to the mapper side and retypes the twins of devices using the model', async () => {
    const model = thermometerModel('11');
    model.spec!.properties![0]!.type = 'FLOAT';
    await edge.cloud('update', model);
    await edge.cloud('update', thermometerModel('12', {}));
    await edge.cloud('delete', thermometerModel('13'));
    await settle();
    expect(edge.dmi!.summary()).toEqual([
      'modelAdded default/thermometer',
      'deviceAdded default/thermo-1',
      'modelUpdated default/thermometer',
      'modelUpdated default/thermometer',
      'modelRemoved default/thermometer',
    ]);
    const documents = edge.published(`${DEV}/twin/update/document`) as { twin: Record<string, { current: { metadata: unknown } }> }[];
    expect(documents[1]!.twin.temperature!.current.metadata).toEqual({ type: 'float' });
  });
});
