/** Mappers across edgecore restarts and mapper deaths: real SQLite file, real sockets, real gRPC. */
import { join } from 'node:path';
import knexFactory from 'knex';
import { modbusDevice, modbusModel } from './testing/fixtures';
import { eventually, startDmi, tempDir, type Harness } from './testing/harness';
import { mapperInfo, MapperPeer } from './testing/mapper-peer';
import { RecordingTwinSide } from './testing/twin-side';

describe('DMI: restarts and mapper deaths', () => {
  let temp: ReturnType<typeof tempDir>;
  let h: Harness | undefined;
  const peers: MapperPeer[] = [];

  beforeEach(() => (temp = tempDir()));
  afterEach(async () => {
    for (const p of peers.splice(0)) p.stop();
    await h?.stop();
    h = undefined;
    temp.remove();
  });

  async function peer(name: string): Promise<MapperPeer> {
    const p = new MapperPeer(join(temp.dir, `${name}.sock`));
    await p.start();
    peers.push(p);
    return p;
  }

  function twinWithDevices(): RecordingTwinSide {
    const twin = new RecordingTwinSide();
    const fan = modbusDevice('fan', 'default', 'fan-model');
    fan.spec!.protocol = { protocolName: 'virtual' };
    twin.add(modbusModel(), modbusDevice(), modbusDevice('thermometer-2'), { ...modbusModel('fan-model'), spec: { protocol: 'virtual' } }, fan);
    return twin;
  }

  it('keeps the mapper in the edge database, and after a restart reconnects and pushes its devices', async () => {
    const mapper = await peer('modbus');
    h = await startDmi(temp.dir, { twin: twinWithDevices() });
    await h.client().register(mapperInfo('modbus-mapper', 'modbus', mapper.socketPath));
    await h.stop();

    const knex = knexFactory({ client: 'sqlite3', connection: { filename: h.dataSource }, useNullAsDefault: true });
    try {
      expect(await knex('device_mapper').select('protocol', 'name', 'version', 'api_version', 'address', 'state')).toEqual([
        { protocol: 'modbus', name: 'modbus-mapper', version: 'v1.0.0', api_version: 'v1beta1', address: mapper.socketPath, state: 'ok' },
      ]);
      expect((await knex('dmi_migrations').select('name')).map((r: { name: string }) => r.name)).toEqual(['0001_device_mapper']);
    } finally {
      await knex.destroy();
    }

    // The mapper outlived edgecore: the new edgecore sends it the devices without waiting for a registration.
    h = await startDmi(temp.dir, { twin: twinWithDevices() });
    await mapper.waitForCalls(3);
    await h.dmi.idle();
    expect(mapper.methods()).toEqual(['createDeviceModel', 'registerDevice', 'registerDevice']);
    expect(mapper.calls.map((c) => (c.request as { device?: { name: string } }).device?.name)).toEqual([undefined, 'thermometer', 'thermometer-2']);
    expect(h.find('reconnecting to saved mapper')).toEqual([expect.objectContaining({ protocol: 'modbus', mapper: 'modbus-mapper' })]);
  });

  it('reports the devices of a dead mapper offline, and sends them again when it registers anew', async () => {
    const modbus = await peer('modbus');
    const virtual = await peer('virtual');
    h = await startDmi(temp.dir, { twin: twinWithDevices() });
    const client = h.client();
    await client.register(mapperInfo('modbus-mapper', 'modbus', modbus.socketPath));
    await client.register(mapperInfo('virtual-mapper', 'virtual', virtual.socketPath));
    await h.dmi.idle();

    const diedAt = Date.now();
    modbus.stop();
    await eventually(() => h!.twin.states.length === 2, 'offline reports for the modbus devices');
    // mapperDeadAfterMs is 300 in these tests.
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(250);
    expect(h.twin.states.map((s) => [`${s.namespace}/${s.name}`, s.update.state]).sort()).toEqual([
      ['default/thermometer', 'offline'],
      ['default/thermometer-2', 'offline'],
    ]);
    expect(h.find('mapper is gone; its devices are reported offline')).toEqual([
      expect.objectContaining({ level: 'warn', protocol: 'modbus', mapper: 'modbus-mapper' }),
    ]);
    const metrics = await h.registry.getSingleMetricAsString('devicetwin_dmi_mappers');
    expect(metrics).toContain('devicetwin_dmi_mappers{health="dead"} 1');
    expect(metrics).toContain('devicetwin_dmi_mappers{health="alive"} 1');

    // A change while it is dead waits, without burning retries.
    const changed = modbusDevice();
    changed.spec!.properties![0]!.desired!.value = '40';
    h.twin.add(changed);
    await h.dmi.deviceUpdated(changed, modbusModel());
    await h.dmi.idle();

    // The mapper restarts and registers: its devices (with the change) come back in the answer.
    const restarted = new MapperPeer(modbus.socketPath);
    await restarted.start();
    peers.push(restarted);
    const response = await client.register(mapperInfo('modbus-mapper', 'modbus', modbus.socketPath));
    expect(response.deviceList.map((d) => d.name).sort()).toEqual(['thermometer', 'thermometer-2']);
    expect(response.deviceList.find((d) => d.name === 'thermometer')!.spec!.properties[0]!.desired!.value).toBe('40');
    await h.dmi.idle();
    expect(restarted.calls).toEqual([]);
    expect(h.twin.states).toHaveLength(2);
  });

  it('re-sends everything to a mapper that comes back on its socket without registering', async () => {
    const modbus = await peer('modbus');
    h = await startDmi(temp.dir, { twin: twinWithDevices() });
    await h.client().register(mapperInfo('modbus-mapper', 'modbus', modbus.socketPath));
    modbus.stop();
    await eventually(() => h!.twin.states.length === 2, 'offline reports');

    const back = new MapperPeer(modbus.socketPath);
    await back.start();
    peers.push(back);
    await back.waitForCalls(3, 10_000);
    await h.dmi.idle();
    expect(back.methods()).toEqual(['createDeviceModel', 'registerDevice', 'registerDevice']);
  });

  it('at start, reports the devices of a saved mapper that is gone offline', async () => {
    const modbus = await peer('modbus');
    h = await startDmi(temp.dir, { twin: twinWithDevices() });
    await h.client().register(mapperInfo('modbus-mapper', 'modbus', modbus.socketPath));
    await h.stop();
    modbus.stop();

    h = await startDmi(temp.dir, { twin: twinWithDevices() });
    await eventually(() => h!.twin.states.length === 2, 'offline reports for the saved mapper');
    expect(new Set(h.twin.states.map((s) => s.update.state))).toEqual(new Set(['offline']));
    // The pending pushes wait for the mapper instead of failing over and over.
    await h.dmi.idle();
    expect(h.find('giving up for now')).toEqual([]);
  });

  it('starts again after a stop, as devicetwin does when its module restarts', async () => {
    const mapper = await peer('modbus');
    h = await startDmi(temp.dir, { twin: twinWithDevices() });
    await h.client().register(mapperInfo('modbus-mapper', 'modbus', mapper.socketPath));
    await h.dmi.stop();
    await h.dmi.start();
    // Reconnected from the saved record; devicetwin's answer is what it pushes.
    await mapper.waitForCalls(3);
    const response = await h.client().register(mapperInfo('modbus-mapper', 'modbus', mapper.socketPath));
    expect(response.deviceList).toHaveLength(2);
  });
});
