/**
 * The mapper's REST API, with the paths of KubeEdge's mapper framework (default port 7777):
 *
 *   GET /api/v1/ping
 *   GET /api/v1/device/{namespace}/{name}/{property}          reads the property from the device now
 *   GET /api/v1/devicemethod/{namespace}/{name}               the device's methods
 *   GET /api/v1/devicemethod/{namespace}/{name}/{method}/{property}/{data}   writes data to a property of the method
 *   GET /api/v1/meta/model/{namespace}/{name}                 the model of device {name} (or model {name})
 *   GET /api/v1/database/{namespace}/{name}                   503: no database push method here
 *
 * Answers are JSON with KubeEdge's envelope (apiVersion, statusCode, timeStamp) plus `Message` or `Data`. Errors
 * carry `Message` naming what is wrong: 400 for a value the model refuses, 404 for an unknown device, property or
 * method, 503 when the device is offline or busy, 504 when it does not answer, 502 when it answers with an error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeviceModel } from '../../gen/kubeedge/dmi/v1beta1/api';
import type { Logger } from '../../pkg/log';
import { DeviceError, ValueError, type DeviceErrorCode } from './errors';
import type { DeviceRegistry } from './registry';

export const REST_API_VERSION = 'v1';

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const DEVICE_ERROR_STATUS: Readonly<Record<DeviceErrorCode, number>> = {
  TIMEOUT: 504,
  DEVICE_EXCEPTION: 502,
  DISCONNECTED: 503,
  BUSY: 503,
  BAD_VALUE: 400,
};

const PATHS =
  '/api/v1/ping, /api/v1/device/{namespace}/{name}/{property}, /api/v1/devicemethod/{namespace}/{name}[/{method}/{property}/{data}], /api/v1/meta/model/{namespace}/{name}';

export class RestApi<P, V> {
  constructor(
    private readonly registry: DeviceRegistry<P, V>,
    private readonly log: Logger,
  ) {}

  /** Listens on host:port (0: any free port); resolves with the bound address and a close function. */
  async listen(host: string, port: number): Promise<{ address: AddressInfo; close: () => Promise<void> }> {
    const server: Server = createServer((request, response) => void this.serve(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    this.log.info({ address: `${address.address}:${address.port}` }, 'REST API listening');
    return {
      address,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (request.method !== 'GET') {
        response.setHeader('allow', 'GET');
        throw new HttpError(405, `method ${request.method} is not allowed; every path of this API is read with GET`);
      }
      const url = new URL(request.url ?? '/', 'http://mapper');
      const segments = url.pathname.split('/').filter((segment) => segment !== '').map(decodeSegment);
      this.send(response, 200, await this.route(segments));
    } catch (error) {
      const [statusCode, message] = describe(error);
      if (statusCode >= 500 && !(error instanceof DeviceError)) this.log.error({ url: request.url, error: (error as Error).stack }, 'REST request failed');
      this.send(response, statusCode, { Message: message });
    }
  }

  private async route(segments: readonly string[]): Promise<Record<string, unknown>> {
    const [api, version, kind, ...rest] = segments;
    if (api !== 'api' || version !== REST_API_VERSION) throw new HttpError(404, `no such path; the paths are ${PATHS}`);
    if (kind === 'ping' && rest.length === 0) return { Message: `This is ${REST_API_VERSION} API, the server is running normally.` };
    if (kind === 'device' && rest.length === 3) return this.read(rest[0] as string, rest[1] as string, rest[2] as string);
    if (kind === 'devicemethod' && rest.length === 2) return this.methods(rest[0] as string, rest[1] as string);
    if (kind === 'devicemethod' && rest.length === 5) return this.write(...(rest as [string, string, string, string, string]));
    if (kind === 'meta' && rest[0] === 'model' && rest.length === 3) return this.model(rest[1] as string, rest[2] as string);
    if (kind === 'database' && rest.length === 2) throw new HttpError(503, 'no database is configured for this mapper; database push methods are not supported');
    throw new HttpError(404, `no such path; the paths are ${PATHS}`);
  }

  private async read(namespace: string, name: string, property: string): Promise<Record<string, unknown>> {
    const runner = this.runner(namespace, name);
    if (!runner.hasProperty(property)) throw this.noProperty(namespace, name, property);
    const reading = await runner.readNow(property);
    return {
      Data: { namespace, deviceName: name, propertyName: property, value: reading.value, type: reading.type, timeStamp: reading.timestamp },
    };
  }

  private methods(namespace: string, name: string): Record<string, unknown> {
    const runner = this.runner(namespace, name);
    const spec = runner.currentSpec;
    const methods = spec.methods.map((method) => ({
      Name: method.name,
      Path: `/api/v1/devicemethod/${namespace}/${name}/${method.name}/{propertyName}/{data}`,
      Parameters: method.propertyNames.map((propertyName) => ({
        PropertyName: propertyName,
        ValueType: spec.properties.find((property) => property.name === propertyName)?.value.type ?? 'string',
      })),
    }));
    return { Data: { Methods: methods } };
  }

  private async write(namespace: string, name: string, methodName: string, property: string, data: string): Promise<Record<string, unknown>> {
    const runner = this.runner(namespace, name);
    const method = runner.currentSpec.methods.find((candidate) => candidate.name === methodName);
    if (method === undefined) {
      const known = runner.currentSpec.methods.map((candidate) => candidate.name).join(', ') || '(none)';
      throw new HttpError(404, `device ${namespace}/${name} has no method ${methodName}; its methods: ${known}`);
    }
    if (!method.propertyNames.includes(property)) {
      throw new HttpError(404, `method ${methodName} of device ${namespace}/${name} does not set property ${property}; it sets: ${method.propertyNames.join(', ') || '(none)'}`);
    }
    await runner.writeNow(property, data);
    return { Message: `Write data ${data} to device ${namespace}/${name} property ${property} successfully.` };
  }

  private model(namespace: string, name: string): Record<string, unknown> {
    const runner = this.registry.runner(namespace, name);
    const modelName = runner ? runner.currentSpec.modelId.split('/')[1] : name;
    const model = this.registry.model(namespace, modelName as string);
    if (model === undefined) throw new HttpError(404, `neither device nor device model ${namespace}/${name} is known to this mapper`);
    return { DeviceModel: DeviceModel.toJSON(model) };
  }

  private runner(namespace: string, name: string) {
    const runner = this.registry.runner(namespace, name);
    if (runner !== undefined) return runner;
    if (this.registry.hasDevice(namespace, name)) throw new HttpError(503, `device ${namespace}/${name} is not running yet: it waits for its device model`);
    throw new HttpError(404, `device ${namespace}/${name} is not served by this mapper`);
  }

  private noProperty(namespace: string, name: string, property: string): HttpError {
    const known = this.registry.runner(namespace, name)?.currentSpec.properties.map((candidate) => candidate.name).join(', ') || '(none)';
    return new HttpError(404, `device ${namespace}/${name} has no property ${property}; its properties: ${known}`);
  }

  private send(response: ServerResponse, statusCode: number, body: Record<string, unknown>): void {
    const text = JSON.stringify({ apiVersion: REST_API_VERSION, statusCode, timeStamp: new Date().toISOString(), ...body });
    response.writeHead(statusCode, { 'content-type': 'application/json' });
    response.end(text);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

function describe(error: unknown): [number, string] {
  if (error instanceof HttpError) return [error.statusCode, error.message];
  if (error instanceof ValueError) return [400, error.message];
  if (error instanceof DeviceError) return [DEVICE_ERROR_STATUS[error.code], error.message];
  return [500, `internal error: ${(error as Error).message}`];
}
