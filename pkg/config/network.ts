import { isAbsolute } from 'node:path';
import { isHost, parseHostPort, parsePort, type HostPort } from './address';
import { field, parsedLeaf } from './field';
import { bad, ok, type Parsed } from './parse-result';

/** An IP address or host name to bind to or dial. */
export function host(options: { default: string; description: string }) {
  const schema = parsedLeaf<string>('write an IP address such as 0.0.0.0 or a host name', (input) =>
    typeof input === 'string' && isHost(input) ? ok(input) : bad('not an IP address or host name'),
  );
  return field(schema, options.default, { description: options.description });
}

export function port(options: { default: number; description: string }) {
  const schema = parsedLeaf<number>('write a whole number from 0 to 65535 (0 picks any free port)', parsePort);
  return field(schema, options.default, { description: options.description });
}

export function hostPortInput(input: unknown): Parsed<HostPort> {
  return typeof input === 'string' ? parseHostPort(input) : bad('not a host:port address');
}

/** `host:port`, compiled to {host, port}. */
export function hostPort(options: { default: string; description: string }) {
  const hint = `write host:port, such as "${options.default}" ([::1]:port for IPv6)`;
  return field(parsedLeaf<HostPort>(hint, hostPortInput), options.default, { description: options.description });
}

/** A URL whose scheme is one of `schemes` (e.g. https, or MQTT's tcp/ssl). */
export function url(options: { default: string; description: string; schemes: readonly string[] }) {
  const hint = `write a URL such as "${options.default}" (schemes: ${options.schemes.join(', ')})`;
  const schema = parsedLeaf<string>(hint, (input) => {
    if (typeof input !== 'string' || !URL.canParse(input)) return bad('not a URL');
    const scheme = new URL(input).protocol.replace(/:$/, '');
    return options.schemes.includes(scheme) ? ok(input) : bad(`scheme ${scheme} is not supported`);
  });
  return field(schema, options.default, { description: options.description });
}

/**
 * An absolute file or folder path. Relative paths are refused: a daemon's working directory is
 * rarely what the writer had in mind.
 */
export function absolutePath(options: { default: string; description: string; allowEmpty?: boolean }) {
  const hint = `write an absolute path starting with /${options.allowEmpty ? ', or "" to leave it unset' : ''}`;
  const schema = parsedLeaf<string>(hint, (input) => {
    if (typeof input !== 'string') return bad('not a path');
    if (input === '' && options.allowEmpty) return ok(input);
    return isAbsolute(input) ? ok(input) : bad('not an absolute path');
  });
  return field(schema, options.default, { description: options.description });
}
