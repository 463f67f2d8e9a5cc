/**
 * The DMI side's view of devicetwin (DmiTwinSide): mapper reports take the MQTT update path (same checks, same
 * document, delta and cloud messages), answered with DmiReportError kinds the DMI server maps to gRPC codes.
 */
import { join } from 'node:path';
import { DmiReportError } from './dmi';
import { eventually, settle, startTwinEdge, T0, tempDir, type TwinEdge } from './testing/edge';
import { thermometer, thermometerModel } from './testing/objects';

const DEV = '$hw/events/device/default/thermo-1';

describe('devicetwin DMI side', () => {
  let dir: ReturnType<typeof tempDir>;
  let edge: TwinEdge;

  beforeEach(async () => {
    dir = tempDir();
    edge = await startTwinEdge({ dataSource: join(dir.dir, 'edgecore.db'), dmiDir: dir.dir });
    await edge.cloud('insert', thermometerModel());
    await edge.cloud('insert', thermometer());
    await edge.cloud('insert', thermometer({ name: 'opc-1', protocol: 'opcua' }));
    await edge.connect('cloud_connected');
  });

  afterEach(async () => {
    await edge.stop();
    dir.cleanup();
  });

  const twin = () => edge.dmi!.twin;

  it('lists the devices of a protocol with the models they use', async () => {
    const modbus = await twin().devicesForProtocol('modbus');
    expect(modbus.devices.map((d) => d.metadata?.name)).toEqual(['thermo-1']);
    expect(modbus.devices[0]).toEqual(thermometer());
    expect(modbus.models).toEqual([thermometerModel()]);
    const opcua = await twin().devicesForProtocol('opcua');
    expect(opcua.devices.map((d) => d.metadata?.name)).toEqual(['opc-1']);
    expect(opcua.models.map((m) => m.metadata?.name)).toEqual(['thermometer']);
    expect(await twin().devicesForProtocol('bacnet')).toEqual({ devices: [], models: [] });
  });

  it('takes a twin report like an MQTT update: document and cloud message, no /result topic', async () => {
    const documents = edge.published(`${DEV}/twin/update/document`).length;
    await twin().reportTwins('default', 'thermo-1', {
      event_id: '',
      timestamp: T0,
      twin: { temperature: { expected: { value: '25' }, actual: { value: '24' } } },
    });
    expect(await edge.nextPublish(`${DEV}/twin/update/document`, documents)).toEqual({
      event_id: '',
      timestamp: T0,
      twin: {
        temperature: {
          last: { expected: { value: '25', metadata: { timestamp: T0 } }, optional: false, metadata: { type: 'int' } },
          current: {
            expected: { value: '25', metadata: { timestamp: T0 } },
            actual: { value: '24', metadata: { timestamp: T0 } },
            optional: false,
            metadata: { type: 'int' },
          },
        },
      },
    });
    await eventually(() => edge.toCloud('device/default/thermo-1/twin/edge_updated').length === 1);
    expect(edge.toCloud('device/default/thermo-1/twin/edge_updated')[0]).toMatchObject({
      twin: { temperature: { actual: { value: '24' }, expected: { value: '25' }, actual_version: { cloud: 0, edge: 1 } } },
    });
    await settle();
    expect(edge.published(`${DEV}/twin/update/result`)).toEqual([]);
    expect(await edge.counter('devicetwin_requests_total', { kind: 'twin_update', origin: 'dmi', result: 'ok' })).toBe(1);
  });

  it('refuses reports for unknown devices and bad values with the kinds the DMI server maps to gRPC codes', async () => {
    const unknown = twin().reportTwins('default', 'ghost', { event_id: '', timestamp: 0, twin: { temperature: { actual: { value: '1' } } } });
    await expect(unknown).rejects.toBeInstanceOf(DmiReportError);
    await expect(unknown).rejects.toMatchObject({
      kind: 'unknownDevice',
      message: 'device default/ghost: no such device on node edge-1; devices come from the cloud (kubectl get devices -n default)',
    });
    await expect(
      twin().reportTwins('default', 'thermo-1', { event_id: '', timestamp: 0, twin: { temperature: { actual: { value: 'warm' } } } }),
    ).rejects.toMatchObject({ kind: 'invalid', message: 'twin.temperature.actual.value: "warm" is not an int (a 64-bit whole number such as 42)' });
    await expect(twin().reportState('default', 'ghost', { event_id: '', timestamp: 0, state: 'ok' })).rejects.toMatchObject({ kind: 'unknownDevice' });
    expect(await edge.counter('devicetwin_requests_total', { origin: 'dmi', result: 'not_found' })).toBe(2);
  });

  it('takes states as KubeEdge does: known ones (any case) kept, others ignored; publishes only a change', async () => {
    await twin().reportState('default', 'thermo-1', { event_id: 'e', timestamp: 0, State: 'OK' });
    expect(await edge.nextPublish(`${DEV}/state/update/result`, 0)).toEqual({
      event_id: 'e',
      timestamp: T0,
      device: { name: 'thermo-1', state: 'ok', last_online: '2026-01-02T03:04:05Z' },
    });
    await twin().reportState('default', 'thermo-1', { event_id: '', timestamp: 0, State: 'ok' });
    await twin().reportState('default', 'thermo-1', { event_id: '', timestamp: 0, State: 'disconnected' });
    await settle();
    expect(edge.published(`${DEV}/state/update/result`)).toHaveLength(1);
    expect(await edge.counter('devicetwin_ignored_total', { reason: 'unknown_state' })).toBe(1);
    expect(edge.toCloud('device/default/thermo-1/state/update')).toEqual([
      { event_id: expect.any(String), timestamp: T0, device: { name: 'thermo-1', state: 'ok', lastOnlineTime: '2026-01-02T03:04:05Z' } },
    ]);
  });

  it('refuses reports while devicetwin is stopped', async () => {
    await edge.stop();
    await expect(twin().reportState('default', 'thermo-1', { event_id: '', timestamp: 0, state: 'ok' })).rejects.toThrow(
      'devicetwin is not running (starting or stopping); report again shortly',
    );
    expect(edge.dmi!.stopped).toBe(1);
  });
});
