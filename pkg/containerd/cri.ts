/**
 * A minimal CRI connection for the runtime helpers and their tests: the generated `runtime.v1` clients on containerd's
 * unix socket, promise-returning calls with a deadline, and removal of every sandbox. edged's real CRI client is
 * edgecore/edged/cri; this one exists so pkg/containerd does not depend on edgecore.
 */
import { credentials, Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { ImageServiceClient, RuntimeServiceClient } from '../../gen/runtime/v1/api';
import { ContainerdError } from './errors';

/** Default deadline of one CRI call. RunPodSandbox takes ~0.2 s here; 10 s leaves room for a loaded 2-core machine. */
export const CRI_CALL_TIMEOUT_MS = 10_000;

export interface CriConnection {
  /** `unix:///abs/path/containerd.sock`. */
  readonly endpoint: string;
  readonly runtime: RuntimeServiceClient;
  readonly image: ImageServiceClient;
  close(): void;
}

export function connectCri(endpoint: string): CriConnection {
  const runtime = new RuntimeServiceClient(endpoint, credentials.createInsecure());
  const image = new ImageServiceClient(endpoint, credentials.createInsecure());
  return {
    endpoint,
    runtime,
    image,
    close: () => {
      runtime.close();
      image.close();
    },
  };
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/**
 * Calls one unary CRI method: `criCall(conn.runtime, conn.runtime.version, {version: 'v1'})`. A failure names the
 * method and the endpoint, with the gRPC error as `cause`.
 */
export function criCall<Req, Res>(
  client: RuntimeServiceClient | ImageServiceClient,
  method: UnaryMethod<Req, Res>,
  request: Req,
  timeoutMs = CRI_CALL_TIMEOUT_MS,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) {
        reject(
          new ContainerdError(
            'CRI_FAILED',
            `CRI ${methodName(client, method)} on ${client.getChannel().getTarget()} failed: ${error.details || error.message}` +
              ' (is containerd running? start it with pkg/containerd/start.sh <dir>)',
            { cause: error },
          ),
        );
      } else resolve(response);
    });
  });
}

/** The generated methods are anonymous; find the name under which the client's prototype holds this one. */
function methodName(client: object, method: unknown): string {
  const prototype = Object.getPrototypeOf(client) as Record<string, unknown>;
  return Object.keys(prototype).find((key) => prototype[key] === method) ?? 'call';
}

/** Polls CRI Version until it answers (containerd accepts connections a moment before the CRI is initialised). */
export async function waitForCri(conn: CriConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await criCall(conn.runtime, conn.runtime.version, { version: 'v1' }, Math.max(200, deadline - Date.now()));
      return;
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new ContainerdError('START_FAILED', `CRI on ${conn.endpoint} did not answer within ${timeoutMs} ms`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Stops and removes every CRI pod sandbox (RemovePodSandbox also removes its containers). Afterwards no
 * containerd-shim of these pods is left and their CNI IPs are free. Returns how many sandboxes were removed.
 */
export async function removeAllSandboxes(conn: CriConnection): Promise<number> {
  const { items } = await criCall(conn.runtime, conn.runtime.listPodSandbox, {});
  for (const sandbox of items) {
    await criCall(conn.runtime, conn.runtime.stopPodSandbox, { podSandboxId: sandbox.id });
    await criCall(conn.runtime, conn.runtime.removePodSandbox, { podSandboxId: sandbox.id });
  }
  return items.length;
}
