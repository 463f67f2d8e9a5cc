/**
 * DeviceManagerService over a real unix socket: a real gRPC client registers as a mapper and reports; a real
 * DeviceMapperService server records what edgecore sends it.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as pb from '../../../gen/kubeedge/dmi/v1beta1/api';
import { decodeAnyMap } from '../../../pkg/dmi/any-values';
import { toDmiDevice, toDmiModel } from '../../../pkg/dmi/convert';
import { DmiReportError } from './errors';
import { modbusDevice, modbusModel } from './testing/fixtures';
import { startDmi, tempDir, type Harness } from './testing/harness';
import { mapperInfo, MapperPeer } from './testing/mapper-peer';

describe('DMI: MapperRegister', () => {
  let temp: ReturnType<typeof tempDir>;
  let h: Harness;
  const peers: MapperPeer[] = [];

  beforeEach(async () => {
    temp = tempDir();
    h = await startDmi(temp.dir);
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) p.stop();
    await h.stop();
    temp.remove();
  });

  async function peer(name: string): Promise<MapperPeer> {
    const p = new MapperPeer(join(temp.dir, `${name}.sock`));
    await p.start();
    peers.push(p);
    return p;
  }

  it('listens on <dmiSockPath>/dmi.sock with mode 0600', () => {
    expect(h.socket).toBe(join(temp.dir, 'kubeedge', 'dmi.sock'));
    const stat = statSync(h.socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('answers with the devices and models of the mapper protocol only, converted field by field', async () => {
    const virtualDevice = modbusDevice('fan', 'default', 'fan-model');
    virtualDevice.spec!.protocol = { protocolName: 'virtual' };
    const virtualModel = { ...modbusModel('fan-model'), spec: { protocol: 'virtual' } };
    const orphan = modbusDevice('orphan', 'default', 'missing-model');
    const second = modbusDevice('thermometer-2');
    h.twin.add(modbusModel(), modbusDevice(), second, virtualModel, virtualDevice, orphan);
    const mapper = await peer('modbus');

    const response = await h.client().register(mapperInfo('modbus-mapper', 'modbus', mapper.socketPath));

    expect(response.deviceList.map((d) => d.name).sort()).toEqual(['thermometer', 'thermometer-2']);
    expect(response.deviceList.find((d) => d.name === 'thermometer')).toEqual(toDmiDevice(modbusDevice()));
    // One model entry per model, however many devices use it.
    expect(response.modelList).toEqual([toDmiModel(modbusModel())]);
    const device = response.deviceList.find((d) => d.name === 'thermometer')!;
    expect(device.spec!.deviceModelReference).toBe('thermometer-model');
    expect(device.status).toEqual({ twins: [], reportToCloud: true, reportCycle: 5000 });
    expect(device.spec!.properties[0]).toMatchObject({ name: 'temperature', collectCycle: 2000, reportCycle: 4000, reportToCloud: true });
    expect(device.spec!.protocol!.configData!.data['port']!.typeUrl).toBe('type.googleapis.com/google.protobuf.Int32Value');
    expect(decodeAnyMap(device.spec!.protocol!.configData!.data)).toEqual({ ip: '127.0.0.1', port: 5020, slaveID: 1 });
    expect(decodeAnyMap(device.spec!.properties[0]!.visitors!.configData!.data)).toEqual({
      register: 'HoldingRegister',
      offset: 2,
      limit: 1,
      scale: 0.5,
      isSwap: true,
    });

    // Sent in the answer, so not sent again; the device without its model waits, and says so.
    await h.dmi.idle();
    expect(mapper.methods()).toEqual([]);
    expect(h.find('device waits for its DeviceModel')).toEqual([expect.objectContaining({ device: 'default/orphan', model: 'default/missing-model' })]);
  });

  it('sends the devices with calls when the mapper asks for no data (withData: false)', async () => {
    h.twin.add(modbusModel(), modbusDevice());
    const mapper = await peer('modbus');
    const response = await h.client().register({ ...mapperInfo('modbus-mapper', 'modbus', mapper.socketPath), withData: false });
    expect(response).toEqual({ deviceList: [], modelList: [] });
    await mapper.waitForCalls(2);
    expect(mapper.calls).toEqual([
      { method: 'createDeviceModel', request: { model: toDmiModel(modbusModel()) } },
      { method: 'registerDevice', request: { device: toDmiDevice(modbusDevice()) } },
    ]);
  });

  it('registers a mapper for a protocol no device uses, with empty lists and a log line that says so', async () => {
    h.twin.add(modbusModel(), modbusDevice());
    const mapper = await peer('onvif');
    const response = await h.client().register(mapperInfo('onvif-mapper', 'onvif', mapper.socketPath));
    expect(response).toEqual({ deviceList: [], modelList: [] });
    expect(h.find('no device on this node uses protocol onvif yet')).toHaveLength(1);
  });

  it('keeps one mapper per protocol: a new registration replaces the old one', async () => {
    const first = await peer('first');
    const second = await peer('second');
    const client = h.client();
    await client.register(mapperInfo('modbus-a', 'modbus', first.socketPath));
    await client.register(mapperInfo('modbus-b', 'modbus', second.socketPath));
    expect(h.find('replaces the previous one')).toEqual([expect.objectContaining({ mapper: 'modbus-b', previous: 'modbus-a' })]);

    await h.dmi.deviceAdded(modbusDevice(), modbusModel());
    await second.waitForCalls(2);
    await h.dmi.idle();
    expect(second.methods()).toEqual(['createDeviceModel', 'registerDevice']);
    expect(first.methods()).toEqual([]);
  });

  it('refuses bad registrations with INVALID_ARGUMENT naming the field, and keeps serving', async () => {
    const client = h.client();
    const good = mapperInfo('m', 'modbus', join(temp.dir, 'm.sock'));
    const cases: [pb.MapperRegisterRequest, RegExp][] = [
      [{ withData: true }, /^mapper is missing/],
      [{ withData: true, mapper: { ...good.mapper!, name: '' } }, /^mapper\.name is empty/],
      [{ withData: true, mapper: { ...good.mapper!, protocol: '' } }, /^mapper\.protocol of mapper m is empty/],
      [{ withData: true, mapper: { ...good.mapper!, address: Buffer.alloc(0) } }, /^mapper\.address of mapper m is empty/],
    ];
    for (const [request, message] of cases) {
      const error = (await client.register(request).catch((e: unknown) => e)) as ServiceError;
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(message);
    }
    await expect(client.register(good)).resolves.toEqual({ deviceList: [], modelList: [] });
  });
});

describe('DMI: ReportDeviceStatus and ReportDeviceStates', () => {
  let temp: ReturnType<typeof tempDir>;
  let h: Harness;

  beforeEach(async () => {
    temp = tempDir();
    h = await startDmi(temp.dir);
    h.twin.add(modbusModel(), modbusDevice());
  });
  afterEach(async () => {
    await h.stop();
    temp.remove();
  });

  it('hands twins to devicetwin as the JSON of .../twin/update', async () => {
    const before = Date.now();
    await h.client().reportStatus({
      deviceName: 'thermometer',
      deviceNamespace: 'default',
      reportedDevice: {
        reportToCloud: true,
        reportCycle: 1000,
        twins: [
          {
            propertyName: 'temperature',
            observedDesired: { value: '30', metadata: {} },
            reported: { value: '29', metadata: { timestamp: '1700000000123', type: 'integer' } },
          },
        ],
      },
    });
    expect(h.twin.twins).toEqual([
      {
        namespace: 'default',
        name: 'thermometer',
        update: {
          event_id: expect.any(String),
          timestamp: expect.any(Number),
          twin: {
            temperature: {
              expected: { value: '30', metadata: { timestamp: expect.any(Number) } },
              actual: { value: '29', metadata: { timestamp: 1700000000123 } },
            },
          },
        },
      },
    ]);
    const update = h.twin.twins[0]!.update;
    expect(update.timestamp).toBeGreaterThanOrEqual(before);
    expect(JSON.parse(JSON.stringify(update))).toEqual(update);
  });

  it('hands states to devicetwin as the JSON of .../state/update', async () => {
    await h.client().reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'online' });
    expect(h.twin.states).toEqual([
      { namespace: 'default', name: 'thermometer', update: { event_id: expect.any(String), timestamp: expect.any(Number), state: 'online' } },
    ]);
  });

  it('answers NOT_FOUND for a device this node does not have, and INVALID_ARGUMENT for missing fields', async () => {
    const client = h.client();
    const unknown = (await client.reportStates({ deviceName: 'ghost', deviceNamespace: 'default', state: 'online' }).catch((e: unknown) => e)) as ServiceError;
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.details).toBe('device default/ghost is not bound to this node');

    const noTwins = (await client
      .reportStatus({ deviceName: 'thermometer', deviceNamespace: 'default', reportedDevice: undefined })
      .catch((e: unknown) => e)) as ServiceError;
    expect(noTwins.code).toBe(status.INVALID_ARGUMENT);
    expect(noTwins.details).toMatch(/^reportedDevice of device default\/thermometer is missing/);

    const noState = (await client.reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: '' }).catch((e: unknown) => e)) as ServiceError;
    expect(noState.code).toBe(status.INVALID_ARGUMENT);
    expect(noState.details).toMatch(/^state of device default\/thermometer is empty/);

    await client.reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'ok' });
    expect(h.twin.states.map((s) => s.update.state)).toEqual(['ok']);
  });

  it('answers INTERNAL (or what devicetwin asks for), naming the failure, when devicetwin fails, and keeps serving', async () => {
    const original = h.twin.reportState.bind(h.twin);
    h.twin.reportState = async () => {
      throw new Error('twin store is closed');
    };
    const error = (await h.client().reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'ok' }).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toBe('fail to report device states: twin store is closed');
    h.twin.reportState = async () => {
      throw new DmiReportError('unavailable', 'devicetwin is starting; report again shortly');
    };
    const later = (await h.client().reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'ok' }).catch((e: unknown) => e)) as ServiceError;
    expect(later.code).toBe(status.UNAVAILABLE);
    expect(later.details).toBe('devicetwin is starting; report again shortly');
    h.twin.reportState = original;
    await h.client().reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'ok' });
    expect(h.twin.states).toHaveLength(1);
  });
});

describe('DMI: rate limit', () => {
  it("refuses calls over KubeEdge's limit (burst 100, then 1 per second) with RESOURCE_EXHAUSTED", async () => {
    const temp = tempDir();
    const h = await startDmi(temp.dir, { rateLimit: { ratePerSecond: 1, burst: 100 } });
    try {
      h.twin.add(modbusModel(), modbusDevice());
      const client = h.client();
      const results = await Promise.all(
        Array.from({ length: 101 }, () =>
          client.reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'online' }).then(
            () => undefined,
            (e: ServiceError) => e,
          ),
        ),
      );
      const refused = results.filter((r) => r !== undefined);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(refused[0]!.details).toMatch(/^fail to report device states because of too many request: thermometer \(edgecore's DMI server takes 1 call\(s\) per second after a burst of 100;/);
      expect(h.twin.states).toHaveLength(100);
      const metrics = await h.registry.getSingleMetricAsString('devicetwin_dmi_requests_total');
      expect(metrics).toContain('devicetwin_dmi_requests_total{method="ReportDeviceStates",code="RESOURCE_EXHAUSTED"} 1');
      expect(metrics).toContain('devicetwin_dmi_requests_total{method="ReportDeviceStates",code="OK"} 100');
      // A second later there is a token again.
      await new Promise((r) => setTimeout(r, 1100));
      await client.reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'online' });
    } finally {
      await h.stop();
      temp.remove();
    }
  });
});
