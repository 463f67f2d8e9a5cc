/**
 * createDeviceTwin's default DMI side (./dmi) wired to the twin module: a mapper registering over the real unix socket
 * gets this node's devices of its protocol, and its ReportDeviceStatus reaches the twins and the cloud.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { DeviceManagerServiceClient, type MapperRegisterRequest, type MapperRegisterResponse } from '../../gen/kubeedge/dmi/v1beta1/api';
import { eventually, startTwinEdge, tempDir, type TwinEdge } from './testing/edge';
import { thermometer, thermometerModel } from './testing/objects';

function call<Req, Res>(method: (request: Req, callback: (error: ServiceError | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));
}

describe('devicetwin with its real DMI server', () => {
  let dir: ReturnType<typeof tempDir>;
  let edge: TwinEdge;
  let client: DeviceManagerServiceClient;

  beforeEach(async () => {
    dir = tempDir();
    edge = await startTwinEdge({ dataSource: join(dir.dir, 'edgecore.db'), dmiDir: join(dir.dir, 'dmi'), realDmi: true });
    await eventually(() => {
      try {
        return statSync(join(dir.dir, 'dmi', 'dmi.sock')).isSocket();
      } catch {
        return false;
      }
    }, 5000, 'the DMI socket');
    await edge.cloud('insert', thermometerModel());
    await edge.cloud('insert', thermometer());
    await edge.connect('cloud_connected');
    client = new DeviceManagerServiceClient(`unix://${join(dir.dir, 'dmi', 'dmi.sock')}`, credentials.createInsecure());
  });

  afterEach(async () => {
    client.close();
    await edge.stop();
    dir.cleanup();
  });

  it('serves dmi.sock (mode 0600), registers a mapper with its devices, and takes its reports', async () => {
    expect(statSync(join(dir.dir, 'dmi', 'dmi.sock')).mode & 0o777).toBe(0o600);
    const registered = await call<MapperRegisterRequest, MapperRegisterResponse>(client.mapperRegister.bind(client), {
      withData: true,
      mapper: { name: 'modbus-mapper', version: 'v1', apiVersion: 'v1beta1', protocol: 'modbus', address: Buffer.from(join(dir.dir, 'm.sock')), state: 'ok' },
    });
    expect(registered.deviceList.map((d) => `${d.namespace}/${d.name}`)).toEqual(['default/thermo-1']);
    expect(registered.modelList.map((m) => `${m.namespace}/${m.name}`)).toEqual(['default/thermometer']);
    await call(client.reportDeviceStatus.bind(client), {
      deviceName: 'thermo-1',
      deviceNamespace: 'default',
      reportedDevice: {
        twins: [{ propertyName: 'temperature', observedDesired: { value: '25', metadata: {} }, reported: { value: '23', metadata: {} } }],
        reportToCloud: true,
        reportCycle: 1000,
      },
    });
    await eventually(() => edge.toCloud('device/default/thermo-1/twin/edge_updated').length > 0);
    expect(edge.toCloud('device/default/thermo-1/twin/edge_updated')[0]).toMatchObject({
      twin: { temperature: { actual: { value: '23' }, expected: { value: '25' } } },
    });
    const unknown = call(client.reportDeviceStatus.bind(client), {
      deviceName: 'ghost',
      deviceNamespace: 'default',
      reportedDevice: { twins: [{ propertyName: 'temperature', reported: { value: '1', metadata: {} } }], reportToCloud: true, reportCycle: 0 },
    });
    await expect(unknown).rejects.toMatchObject({ code: status.NOT_FOUND });
  });
});
