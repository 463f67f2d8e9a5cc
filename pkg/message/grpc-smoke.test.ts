/**
 * Smoke test of the generated grpc-js services, and a template: serve DMI's DeviceManagerService on a unix socket,
 * call MapperRegister with the generated client, and map a bad request to a gRPC status at the boundary.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, Server, ServerCredentials, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { Any } from '../../gen/google/protobuf/any';
import {
  DeviceManagerServiceClient,
  DeviceManagerServiceService,
  type DeviceManagerServiceServer,
  MapperRegisterRequest,
  MapperRegisterResponse,
} from '../../gen/kubeedge/dmi/v1beta1/api';

// An Int32Value{value: 1} packed in an Any, as edgecore sends protocol settings.
const slaveId = Any.fromPartial({
  typeUrl: 'type.googleapis.com/google.protobuf.Int32Value',
  value: Buffer.from([8, 1]),
});

const implementation: DeviceManagerServiceServer = {
  mapperRegister(call, callback) {
    const mapper = call.request.mapper;
    if (!mapper?.protocol) {
      const details = 'mapper.protocol: is empty; set the protocol this mapper serves';
      callback({ code: status.INVALID_ARGUMENT, details });
      return;
    }
    // Build replies with fromPartial: the generated encoders expect every scalar field to be set.
    const protocol = { protocolName: mapper.protocol, configData: { data: { slaveID: slaveId } } };
    const deviceList = call.request.withData ? [{ name: 'd1', namespace: 'default', spec: { protocol } }] : [];
    callback(null, MapperRegisterResponse.fromPartial({ deviceList }));
  },
  reportDeviceStatus: (_call, callback) => callback(null, {}),
  reportDeviceStates: (_call, callback) => callback(null, {}),
};

describe('generated grpc-js services (DMI over a unix socket)', () => {
  let dir: string;
  let server: Server;
  let client: DeviceManagerServiceClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dmi-'));
    server = new Server();
    server.addService(DeviceManagerServiceService, implementation);
    const address = `unix://${join(dir, 'dmi.sock')}`;
    await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    client = new DeviceManagerServiceClient(address, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const register = (request: MapperRegisterRequest): Promise<MapperRegisterResponse> =>
    new Promise((resolve, reject) =>
      client.mapperRegister(request, new Metadata(), { deadline: Date.now() + 5000 }, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );

  it('registers a mapper and returns its devices, Any values intact', async () => {
    const response = await register({
      withData: true,
      mapper: {
        name: 'modbus-mapper',
        version: 'v1.0.0',
        apiVersion: 'v1beta1',
        protocol: 'modbus',
        address: Buffer.from('/etc/kubeedge/modbus.sock'),
        state: 'ok',
      },
    });
    expect(response.deviceList).toHaveLength(1);
    const device = response.deviceList[0]!;
    expect(device.spec!.protocol!.protocolName).toBe('modbus');
    expect(device.spec!.protocol!.configData!.data['slaveID']).toEqual(slaveId);
  });

  it('returns no devices without withData', async () => {
    const response = await register(
      MapperRegisterRequest.fromPartial({ withData: false, mapper: { name: 'm', protocol: 'ble', state: 'ok' } }),
    );
    expect(response).toEqual({ modelList: [], deviceList: [] });
  });

  it('carries a handler error to the client as a gRPC status', async () => {
    const request = MapperRegisterRequest.fromPartial({ withData: true });
    const error = (await register(request).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe('mapper.protocol: is empty; set the protocol this mapper serves');
  });
});
