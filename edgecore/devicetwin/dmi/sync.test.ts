/** Device and model changes reaching the mapper of their protocol, over real gRPC. */
import { join } from 'node:path';
import type { Device } from '../../../pkg/devices/api';
import { toDmiDevice, toDmiModel } from '../../../pkg/dmi/convert';
import { modbusDevice, modbusModel } from './testing/fixtures';
import { eventually, startDmi, tempDir, type Harness } from './testing/harness';
import { mapperInfo, MapperPeer } from './testing/mapper-peer';

describe('DMI: changes to mappers', () => {
  let temp: ReturnType<typeof tempDir>;
  let h: Harness;
  let modbus: MapperPeer;

  beforeEach(async () => {
    temp = tempDir();
    h = await startDmi(temp.dir);
    modbus = new MapperPeer(join(temp.dir, 'modbus.sock'));
    await modbus.start();
  });
  afterEach(async () => {
    modbus.stop();
    await h.stop();
    temp.remove();
  });

  const register = (peer: MapperPeer, protocol = 'modbus') => h.client().register(mapperInfo(`${protocol}-mapper`, protocol, peer.socketPath));

  it('creates the model before the device, updates only on a changed spec, removes both', async () => {
    await register(modbus);
    await h.dmi.deviceAdded(modbusDevice(), modbusModel());
    await h.dmi.idle();
    expect(modbus.calls).toEqual([
      { method: 'createDeviceModel', request: { model: toDmiModel(modbusModel()) } },
      { method: 'registerDevice', request: { device: toDmiDevice(modbusDevice()) } },
    ]);

    // Same spec (a status report changed nothing the mapper sees): no call.
    const same = modbusDevice();
    same.metadata!.resourceVersion = '7';
    await h.dmi.deviceUpdated(same, modbusModel());
    await h.dmi.idle();
    expect(modbus.calls).toHaveLength(2);

    const changed = modbusDevice();
    changed.spec!.properties![0]!.desired!.value = '35';
    await h.dmi.deviceUpdated(changed, modbusModel());
    await h.dmi.idle();
    expect(modbus.calls[2]).toEqual({ method: 'updateDevice', request: { device: toDmiDevice(changed) } });

    const model = modbusModel();
    model.spec!.properties![0]!.maximum = '120';
    await h.dmi.modelUpdated(model);
    await h.dmi.idle();
    expect(modbus.calls[3]).toEqual({ method: 'updateDeviceModel', request: { model: toDmiModel(model) } });

    await h.dmi.deviceRemoved(changed);
    await h.dmi.modelRemoved(model);
    await h.dmi.idle();
    expect(modbus.calls.slice(4)).toEqual([
      { method: 'removeDevice', request: { deviceName: 'thermometer', deviceNamespace: 'default' } },
      { method: 'removeDeviceModel', request: { modelName: 'thermometer-model', modelNamespace: 'default' } },
    ]);
  });

  it('coalesces a burst of updates to one device into the calls its latest spec needs', async () => {
    await register(modbus);
    await h.dmi.deviceAdded(modbusDevice(), modbusModel());
    await h.dmi.idle();
    for (let v = 40; v < 60; v++) {
      const d = modbusDevice();
      d.spec!.properties![0]!.desired!.value = String(v);
      void h.dmi.deviceUpdated(d, modbusModel());
    }
    await h.dmi.idle();
    const updates = modbus.calls.filter((c) => c.method === 'updateDevice');
    expect(updates.length).toBeLessThanOrEqual(2);
    expect((updates.at(-1)!.request as { device: { spec: { properties: { desired: { value: string } }[] } } }).device.spec.properties[0]!.desired.value).toBe('59');
  });

  it('remembers devices of a protocol with no mapper, logs that once, and sends them when one registers', async () => {
    const fan = (name: string): Device => {
      const d = modbusDevice(name, 'default', 'fan-model');
      d.spec!.protocol = { protocolName: 'virtual' };
      return d;
    };
    const fanModel = { ...modbusModel('fan-model'), spec: { protocol: 'virtual', properties: [] } };
    await h.dmi.deviceAdded(fan('fan-1'), fanModel);
    await h.dmi.deviceAdded(fan('fan-2'), fanModel);
    expect(h.find('no mapper registered for protocol virtual yet; the device is sent when one registers')).toEqual([
      expect.objectContaining({ level: 'info', protocol: 'virtual', device: 'default/fan-1' }),
    ]);
    expect(h.find('fail to get dmi client')).toEqual([]);

    // devicetwin's own answer does not know them (yet): what devicetwin told the Dmi is enough.
    const virtual = new MapperPeer(join(temp.dir, 'virtual.sock'));
    await virtual.start();
    try {
      const response = await register(virtual, 'virtual');
      expect(response.deviceList.map((d) => d.name).sort()).toEqual(['fan-1', 'fan-2']);
      expect(response.modelList).toEqual([toDmiModel(fanModel)]);
      await h.dmi.idle();
      expect(virtual.calls).toEqual([]);
    } finally {
      virtual.stop();
    }
  });

  it('holds a device until its model arrives, then creates the model and registers the device', async () => {
    await register(modbus);
    await h.dmi.deviceAdded(modbusDevice(), undefined);
    await h.dmi.idle();
    expect(modbus.calls).toEqual([]);
    expect(h.find('device waits for its DeviceModel')).toHaveLength(1);
    await h.dmi.modelAdded(modbusModel());
    await h.dmi.idle();
    expect(modbus.methods()).toEqual(['createDeviceModel', 'registerDevice']);
  });

  it('moves a device whose protocol changed from one mapper to the other', async () => {
    const virtual = new MapperPeer(join(temp.dir, 'virtual.sock'));
    await virtual.start();
    try {
      await register(modbus);
      await register(virtual, 'virtual');
      await h.dmi.deviceAdded(modbusDevice(), modbusModel());
      await h.dmi.idle();
      const moved = modbusDevice();
      moved.spec!.protocol = { protocolName: 'virtual' };
      await h.dmi.deviceUpdated(moved, modbusModel());
      await h.dmi.idle();
      expect(modbus.methods()).toEqual(['createDeviceModel', 'registerDevice', 'removeDevice']);
      // The model's own protocol is modbus; virtual gets it because its device now needs it.
      expect(virtual.calls).toEqual([
        { method: 'createDeviceModel', request: { model: toDmiModel(modbusModel()) } },
        { method: 'registerDevice', request: { device: toDmiDevice(moved) } },
      ]);
    } finally {
      virtual.stop();
    }
  });

  it('retries a failed call with back-off, logging the device and the protocol, and never throws', async () => {
    await register(modbus);
    modbus.failNext.set('registerDevice', 2);
    await expect(h.dmi.deviceAdded(modbusDevice(), modbusModel())).resolves.toBeUndefined();
    await h.dmi.idle();
    expect(modbus.methods()).toEqual(['createDeviceModel', 'registerDevice', 'registerDevice', 'registerDevice']);
    expect(h.find('call to mapper failed; retrying')).toEqual([
      expect.objectContaining({ protocol: 'modbus', device: 'default/thermometer', attempt: 1, err: expect.stringContaining('registerDevice failed on purpose') }),
      expect.objectContaining({ protocol: 'modbus', device: 'default/thermometer', attempt: 2 }),
    ]);
  });

  it('gives up after 5 attempts, logs a warning, and tries again later', async () => {
    // Long enough that the first retry comes after both keys have given up.
    await h.stop();
    h = await startDmi(temp.dir, { timings: { failedRetryMs: 2000 } });
    await register(modbus);
    // The model (its own key) and the device (which needs the model first) each try 5 times.
    modbus.failNext.set('createDeviceModel', 10);
    await h.dmi.deviceAdded(modbusDevice(), modbusModel());
    await h.dmi.idle();
    expect(modbus.methods()).toEqual(Array(10).fill('createDeviceModel'));
    expect(h.find('giving up for now')).toEqual([
      expect.objectContaining({ level: 'warn', protocol: 'modbus', model: 'default/thermometer-model', attempt: 5, attempts: 5, retryInMs: 2000 }),
      expect.objectContaining({ level: 'warn', protocol: 'modbus', device: 'default/thermometer', attempt: 5, attempts: 5, retryInMs: 2000 }),
    ]);
    // failedRetryMs later both are tried again, and get through.
    await eventually(() => modbus.methods().includes('registerDevice'), 'the retry after giving up', 8000);
    await h.dmi.idle();
    expect(modbus.methods().slice(10)).toEqual(['createDeviceModel', 'registerDevice']);
  });
});
