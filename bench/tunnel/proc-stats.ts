/** What Linux says about a process: memory, CPU time, bytes through read()/write(), open-file limit. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

export interface IoCounters {
  /** Bytes returned by read()-family calls; for a process that only does socket I/O, the bytes it received. */
  readBytes: number;
  writeBytes: number;
  /** read()/write() calls. */
  reads: number;
  writes: number;
}

export function ioCounters(pid: number): IoCounters {
  const text = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { readBytes: field('rchar'), writeBytes: field('wchar'), reads: field('syscr'), writes: field('syscw') };
}

export function ioDelta(before: IoCounters, after: IoCounters): IoCounters {
  return {
    readBytes: after.readBytes - before.readBytes,
    writeBytes: after.writeBytes - before.writeBytes,
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
  };
}

export function sumIo(all: IoCounters[]): IoCounters {
  return all.reduce(
    (sum, io) => ({ readBytes: sum.readBytes + io.readBytes, writeBytes: sum.writeBytes + io.writeBytes, reads: sum.reads + io.reads, writes: sum.writes + io.writes }),
    { readBytes: 0, writeBytes: 0, reads: 0, writes: 0 },
  );
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

/** User + system CPU time of the process so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The soft and hard limits on open files of a process. */
export function openFileLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  const parse = (value: string | undefined): number => (value === 'unlimited' ? Infinity : Number(value));
  return { soft: parse(match?.[1]), hard: parse(match?.[2]) };
}

export interface TcpTotals {
  sockets: number;
  /** Payload bytes (here: TLS records) received, over all sockets. */
  bytesReceived: number;
  bytesSent: number;
  /** Segments received, pure ACKs included. */
  segmentsIn: number;
  segmentsOut: number;
}

/**
 * The kernel's counters (tcp_info, read with `ss`) summed over the established TCP connections whose local port is
 * `port`: for the cloud's listener, one per connected node. Throws if `ss` (iproute2) is not installed.
 */
export function tcpTotals(port: number): TcpTotals {
  const text = execFileSync('ss', ['-tinH', 'state', 'established', 'sport', '=', `:${port}`], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const totals: TcpTotals = { sockets: 0, bytesReceived: 0, bytesSent: 0, segmentsIn: 0, segmentsOut: 0 };
  const field = (line: string, name: string): number => Number(new RegExp(`\\b${name}:(\\d+)`).exec(line)?.[1] ?? 0);
  for (const line of text.split('\n')) {
    if (!line.includes('segs_in:')) continue;
    totals.sockets++;
    totals.bytesReceived += field(line, 'bytes_received');
    totals.bytesSent += field(line, 'bytes_sent');
    totals.segmentsIn += field(line, 'segs_in');
    totals.segmentsOut += field(line, 'segs_out');
  }
  return totals;
}

/** Kernel-wide TCP counters that explain slow connects: accept queue overflows and SYN retransmissions. */
export interface ListenCounters {
  /** Connections dropped because a listener's accept queue was full (its backlog). */
  listenOverflows: number;
  /** SYNs sent again because no answer came (each waits 1 s, then 2, 4, ... s). */
  synRetransmits: number;
}

export function listenCounters(): ListenCounters {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const header = lines.findIndex((line) => line.startsWith('TcpExt:'));
  const names = lines[header]?.split(/\s+/) ?? [];
  const values = lines[header + 1]?.split(/\s+/) ?? [];
  const value = (name: string): number => Number(values[names.indexOf(name)] ?? NaN);
  return { listenOverflows: value('ListenOverflows'), synRetransmits: value('TCPSynRetrans') };
}
