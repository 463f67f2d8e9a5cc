import { isIP } from 'node:net';
import { bad, ok, type Parsed } from './parse-result';

/** A network endpoint. `host` is an IP address or DNS name, without brackets. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** An RFC 1123 host name (case-insensitive, as DNS is). */
export function isHostName(text: string): boolean {
  return text.length > 0 && text.length <= 253 && text.split('.').every((label) => DNS_LABEL.test(label));
}

/** An IP address or a host name. */
export function isHost(text: string): boolean {
  return isIP(text) !== 0 || isHostName(text);
}

/** A TCP port; 0 asks the operating system for any free port (useful in tests). */
export function parsePort(input: unknown): Parsed<number> {
  const port = typeof input === 'string' && /^\d+$/.test(input) ? Number(input) : input;
  if (typeof port !== 'number' || !Number.isInteger(port)) return bad('not a port number');
  if (port < 0 || port > 65535) return bad('not a port number');
  return ok(port);
}

/** Parses `host:port`, with IPv6 hosts in brackets (`[::1]:9091`). */
export function parseHostPort(text: string): Parsed<HostPort> {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text.trim());
  if (match === null) return bad('not a host:port address');
  const [, ipv6, name = '', portText] = match;
  const host = ipv6 ?? name;
  if (host === '') return bad('the host is missing (0.0.0.0 means every address)');
  if (ipv6 !== undefined ? isIP(ipv6) !== 6 : !isHost(host)) return bad('not a valid host');
  const port = parsePort(portText);
  return port.ok ? ok({ host, port: port.value }) : bad('not a valid port');
}

/** The inverse of parseHostPort. */
export function formatHostPort(address: HostPort): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
