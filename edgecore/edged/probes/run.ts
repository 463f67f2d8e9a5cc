import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ContainerPort, HTTPGetAction, IntOrString, Probe, TCPSocketAction } from '../api';

/** Where a probe runs: the pod's IP (httpGet/tcpSocket default host) and the runtime's exec (CRI ExecSync). */
export interface ProbeTarget {
  podIP: string;
  /** Runs `cmd` in the container; resolves with its exit code and combined output, rejects when it cannot run. */
  exec(cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
  /** The container's ports, to resolve a named probe port (`port: http`). */
  ports?: ContainerPort[];
}

export interface ProbeOutcome {
  result: 'success' | 'failure';
  /** kubelet's wording; shown in the Unhealthy event (`Liveness probe failed: <message>`). */
  message: string;
}

/** kubelet reads at most 10 KiB of probe output or body. */
const MAX_OUTPUT = 10 * 1024;
const MAX_REDIRECTS = 10;
/** The User-Agent kubelet's probes send (`kube-probe/<major>.<minor>`). */
export const PROBE_USER_AGENT = 'kube-probe/1.32';

/** Runs one probe attempt, never throwing: anything that goes wrong is a failure with kubelet's message. */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds || 1) * 1000;
  try {
    if (probe.exec !== undefined) return await execProbe(probe.exec.command ?? [], target, timeoutMs);
    if (probe.httpGet !== undefined) return await httpProbe(probe.httpGet, target, timeoutMs);
    if (probe.tcpSocket !== undefined) return await tcpProbe(probe.tcpSocket, target, timeoutMs);
    return failure('missing probe handler');
  } catch (err) {
    return failure(err instanceof Error ? err.message : String(err));
  }
}

const failure = (message: string): ProbeOutcome => ({ result: 'failure', message });
const success = (message = ''): ProbeOutcome => ({ result: 'success', message });

async function execProbe(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const answer = await Promise.race([target.exec(command, timeoutMs), timedOut]);
    if (answer === 'timeout') return failure(`command ${JSON.stringify(command.join(' '))} timed out`);
    const output = answer.output.length > MAX_OUTPUT ? answer.output.slice(0, MAX_OUTPUT) : answer.output;
    return answer.exitCode === 0 ? success(output) : failure(output);
  } finally {
    clearTimeout(timer);
  }
}

/** A numeric port, or a named one looked up in the container's ports (kubelet's findPortByName). */
export function resolvePort(port: IntOrString, ports: ContainerPort[] | undefined): number {
  let number: number | undefined;
  if (typeof port === 'number') number = port;
  else if (/^\d+$/.test(port)) number = Number(port);
  else {
    number = ports?.find((p) => p.name === port)?.containerPort;
    if (number === undefined) throw new Error(`couldn't find port: ${port} in container ports [${(ports ?? []).map((p) => p.name ?? p.containerPort).join(' ')}]`);
  }
  if (!Number.isInteger(number) || number <= 0 || number > 65535) throw new Error(`invalid port number: ${number}`);
  return number;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

async function httpProbe(action: HTTPGetAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const host = action.host || target.podIP;
  const port = resolvePort(action.port, target.ports);
  let path = action.path ?? '/';
  if (!path.startsWith('/')) path = `/${path}`;
  let url = new URL(`${scheme}://${hostPort(host, port)}${path}`);
  const headers: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*' };
  for (const header of action.httpHeaders ?? []) headers[header.name] = header.value;

  const deadline = Date.now() + timeoutMs;
  for (let redirects = 0; ; redirects++) {
    const response = await get(url, headers, deadline - Date.now());
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location !== undefined) {
      const next = new URL(location, url);
      // kubelet follows redirects only to the same host; elsewhere the probe counts as passed (with a warning).
      if (next.host !== url.host) return success(`Probe terminated redirects, Response body: ${response.body}`);
      if (redirects + 1 >= MAX_REDIRECTS) return failure(`Get ${JSON.stringify(next.href)}: stopped after ${MAX_REDIRECTS} redirects`);
      url = next;
      continue;
    }
    if (response.status >= 200 && response.status < 400) return success(response.body);
    return failure(`HTTP probe failed with statuscode: ${response.status}`);
  }
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function get(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  const quoted = JSON.stringify(url.href);
  return new Promise((resolve, reject) => {
    if (timeoutMs <= 0) return reject(new Error(`Get ${quoted}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Probes skip TLS verification, as kubelet's do: the pod's certificate is not for its IP.
    const req = send(url, { method: 'GET', headers, agent: false, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_OUTPUT) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, MAX_OUTPUT).toString('utf8') });
      });
      res.on('error', (err) => fail(err));
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`Get ${quoted}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`));
    }, timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(new Error(`Get ${quoted}: ${dialError(err, url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || (url.protocol === 'https:' ? 443 : 80)))}`));
    };
    req.on('error', fail);
    req.end();
  });
}

async function tcpProbe(action: TCPSocketAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const host = action.host || target.podIP;
  const port = resolvePort(action.port, target.ports);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(failure(`dial tcp ${hostPort(host, port)}: i/o timeout`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(success());
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve(failure(dialError(err, host, port)));
    });
  });
}

/** Go's net error text for the usual socket errors (`dial tcp 10.0.0.1:80: connect: connection refused`). */
function dialError(err: Error, host: string, port: number): string {
  const where = `dial tcp ${hostPort(host, port)}`;
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ECONNREFUSED':
      return `${where}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `${where}: connect: no route to host`;
    case 'ENETUNREACH':
      return `${where}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `${where}: i/o timeout`;
    case 'ECONNRESET':
      return `read tcp ${hostPort(host, port)}: read: connection reset by peer`;
    case 'ENOTFOUND':
      return `${where}: lookup ${host}: no such host`;
    default:
      return `${where}: ${err.message}`;
  }
}
