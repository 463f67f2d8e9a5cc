/**
 * The gRPC listener: kubeedge.tunnel.v1.CloudHubService/Tunnel over mutual TLS. TLS itself refuses clients whose
 * certificate does not chain to the CloudHub CA or is expired; the hub checks who they are.
 *
 * Requests are handed over as raw bytes and decoded by the session with pkg/message, so that garbage gets a status
 * naming the problem instead of grpc-js's bare "Error deserializing request".
 */
import { Server, ServerCredentials, type ServerDuplexStream, type ChannelOptions } from '@grpc/grpc-js';
import { CloudHubServiceService, type TunnelResponse } from '../../gen/kubeedge/tunnel/v1/tunnel';
import { formatHostPort, type HostPort } from '../../pkg/config';
import { within } from '../../pkg/timing';
import type { CompiledOptions, TlsPems } from './options';

/** A tunnel stream as the hub sees it: raw request frames in, TunnelResponse frames out. */
export type TunnelCall = ServerDuplexStream<Buffer, TunnelResponse>;

const RAW_TUNNEL_SERVICE = {
  tunnel: { ...CloudHubServiceService.tunnel, requestDeserialize: (bytes: Buffer): Buffer => bytes },
};

export interface TunnelServer {
  /** The address bound (the real port when 0 was asked for). */
  readonly address: HostPort;
  /** Waits up to graceMs for streams to finish, then closes every connection. */
  shutdown(graceMs: number): Promise<void>;
}

export class TunnelServerError extends Error {
  override readonly name = 'TunnelServerError';
  readonly code = 'TUNNEL_LISTEN_FAILED';
}

export async function startTunnelServer(options: CompiledOptions, tls: TlsPems, onStream: (call: TunnelCall) => void): Promise<TunnelServer> {
  const channelOptions: ChannelOptions = {
    'grpc.max_receive_message_length': options.maxFrameBytes,
    'grpc.max_send_message_length': options.maxFrameBytes,
    // Pings find dead peers well before the application keepalive gives up on them.
    'grpc.keepalive_time_ms': options.http2KeepaliveTimeMs,
    'grpc.keepalive_timeout_ms': options.http2KeepaliveTimeoutMs,
    // A node needs one stream (two while a reconnect replaces the old one); more is abuse.
    'grpc.max_concurrent_streams': 4,
    // channelz keeps per-connection records; at 10,000 nodes that is memory for nothing.
    'grpc.enable_channelz': 0,
  };
  const server = new Server(channelOptions);
  server.addService(RAW_TUNNEL_SERVICE, { tunnel: onStream });
  const credentials = ServerCredentials.createSsl(
    Buffer.from(tls.caPem),
    [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) }],
    true,
  );
  const wanted = { host: options.host, port: options.port };
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(formatHostPort(wanted), credentials, (error, bound) => {
      if (error) {
        server.forceShutdown();
        reject(
          new TunnelServerError(
            `cannot listen for edge nodes on ${formatHostPort(wanted)} (modules.cloudHub.tunnel): ${error.message}`,
            { cause: error },
          ),
        );
      } else resolve(bound);
    });
  });
  return {
    address: { host: options.host, port },
    async shutdown(graceMs) {
      const done = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      if (!(await within(graceMs, done))) server.forceShutdown();
    },
  };
}
