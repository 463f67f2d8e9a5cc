/**
 * The mapper's DeviceMapperService on its unix socket (grpc_server.socket_path), which edgecore calls when devices
 * and models change. Requests are checked at this boundary: a missing device or name is INVALID_ARGUMENT, a device
 * that cannot run (wrong protocol, bad configData, unknown property) is INVALID_ARGUMENT listing every problem, an
 * unknown device or model is NOT_FOUND. Nothing a caller sends can stop the mapper.
 */
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { DeviceMapperServiceService, type DeviceMapperServiceServer } from '../../gen/kubeedge/dmi/v1beta1/api';
import type { Logger } from '../../pkg/log';
import { SpecError } from './errors';
import type { DeviceRegistry } from './registry';

class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export function deviceMapperService<P, V>(registry: DeviceRegistry<P, V>, log: Logger): DeviceMapperServiceServer {
  const handle =
    <Req, Res>(rpc: string, run: (request: Req) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      run(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const rpcError = error instanceof RpcError ? error : error instanceof SpecError ? new RpcError(status.INVALID_ARGUMENT, error.message) : undefined;
          if (rpcError === undefined) log.error({ rpc, error: (error as Error).stack ?? String(error) }, 'DMI call failed');
          else log.warn({ rpc, code: status[rpcError.code], error: rpcError.message }, 'DMI call refused');
          callback({ code: rpcError?.code ?? status.INTERNAL, details: rpcError?.message ?? `internal error: ${(error as Error).message}` });
        },
      );
    };
  const required = (value: string, field: string, fix: string): string => {
    if (value === '') throw new RpcError(status.INVALID_ARGUMENT, `${field} is empty; ${fix}`);
    return value;
  };

  return {
    registerDevice: handle('RegisterDevice', async (request) => {
      if (request.device === undefined) throw new RpcError(status.INVALID_ARGUMENT, 'device is missing; send RegisterDeviceRequest.device');
      required(request.device.name, 'device.name', 'send the Device with its name');
      const { namespace, name } = await registry.putDevice(request.device);
      return { deviceName: name, deviceNamespace: namespace };
    }),
    updateDevice: handle('UpdateDevice', async (request) => {
      if (request.device === undefined) throw new RpcError(status.INVALID_ARGUMENT, 'device is missing; send UpdateDeviceRequest.device');
      required(request.device.name, 'device.name', 'send the Device with its name');
      // An update of a device this mapper does not know registers it: the end state is what edgecore asked for.
      await registry.putDevice(request.device);
      return {};
    }),
    removeDevice: handle('RemoveDevice', async (request) => {
      required(request.deviceName, 'deviceName', 'name the device to remove');
      if (!(await registry.removeDevice(request.deviceNamespace, request.deviceName))) {
        throw new RpcError(status.NOT_FOUND, `device ${request.deviceNamespace || 'default'}/${request.deviceName} is not served by this mapper`);
      }
      return {};
    }),
    createDeviceModel: handle('CreateDeviceModel', async (request) => {
      if (request.model === undefined) throw new RpcError(status.INVALID_ARGUMENT, 'model is missing; send CreateDeviceModelRequest.model');
      required(request.model.name, 'model.name', 'send the DeviceModel with its name');
      const { namespace, name } = await registry.putModel(request.model);
      return { deviceModelName: name, deviceModelNamespace: namespace };
    }),
    updateDeviceModel: handle('UpdateDeviceModel', async (request) => {
      if (request.model === undefined) throw new RpcError(status.INVALID_ARGUMENT, 'model is missing; send UpdateDeviceModelRequest.model');
      required(request.model.name, 'model.name', 'send the DeviceModel with its name');
      await registry.putModel(request.model);
      return {};
    }),
    removeDeviceModel: handle('RemoveDeviceModel', async (request) => {
      required(request.modelName, 'modelName', 'name the model to remove');
      if (!(await registry.removeModel(request.modelNamespace, request.modelName))) {
        throw new RpcError(status.NOT_FOUND, `device model ${request.modelNamespace || 'default'}/${request.modelName} is not known to this mapper`);
      }
      return {};
    }),
    getDevice: handle('GetDevice', async (request) => {
      required(request.deviceName, 'deviceName', 'name the device');
      const device = registry.getDevice(request.deviceNamespace, request.deviceName);
      if (device === undefined) throw new RpcError(status.NOT_FOUND, `device ${request.deviceNamespace || 'default'}/${request.deviceName} is not served by this mapper`);
      return { device };
    }),
  };
}

/**
 * Serves DeviceMapperService on `socketPath` (mode 0600; a stale socket from an earlier run is replaced, any other
 * file there is refused). Returns a stop function that closes the server and removes the socket.
 */
export async function serveDeviceMapper<P, V>(socketPath: string, registry: DeviceRegistry<P, V>, log: Logger): Promise<() => Promise<void>> {
  await mkdir(dirname(socketPath), { recursive: true });
  const existing = await stat(socketPath).catch(() => undefined);
  if (existing !== undefined) {
    if (!existing.isSocket()) throw new Error(`grpc_server.socket_path ${socketPath} exists and is not a socket; remove it or choose another path`);
    await rm(socketPath);
  }
  const server = new Server();
  server.addService(DeviceMapperServiceService, deviceMapperService(registry, log));
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
  );
  await chmod(socketPath, 0o600);
  log.info({ socket: socketPath }, 'DeviceMapperService listening');
  return async () => {
    // Calls in progress may finish for a moment; then they are cut.
    const force = setTimeout(() => server.forceShutdown(), 2000);
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    clearTimeout(force);
    await rm(socketPath, { force: true });
  };
}
