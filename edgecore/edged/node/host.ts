import { promises as fs } from 'node:fs';
import { arch, cpus, hostname, networkInterfaces, release } from 'node:os';

/** What the node reports about its host; read once at start (hostInfo) and again when a figure may change. */
export interface HostInfo {
  hostname: string;
  cpuCount: number;
  memoryBytes: number;
  /** Pods this node accepts (kubelet maxPods, default 110). */
  maxPods: number;
  /** Size of the filesystem holding rootDirectory. */
  ephemeralStorageBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  operatingSystem: 'linux';
  /** GOARCH spelling: amd64, arm64, arm... */
  architecture: string;
  /** First IPv4 of `interfaceName`, else of the default route's interface, else the first non-loopback one. */
  internalIP: string | undefined;
}

export interface HostInfoOptions {
  /** edged rootDirectory: its filesystem is the node's ephemeral-storage. */
  rootDirectory: string;
  /** Default 110, as kubelet. */
  maxPods?: number;
  /** edged customInterfaceName: take the InternalIP from this interface. */
  interfaceName?: string;
  /** Test seams: where /proc, /etc and /sys are. */
  procRoot?: string;
  etcRoot?: string;
  sysRoot?: string;
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };

export async function hostInfo(options: HostInfoOptions): Promise<HostInfo> {
  const proc = options.procRoot ?? '/proc';
  const etc = options.etcRoot ?? '/etc';
  const sys = options.sysRoot ?? '/sys';
  const [meminfo, machineID, bootID, osRelease, systemUUID, stat, routes] = await Promise.all([
    readOr(`${proc}/meminfo`, ''),
    readOr(`${etc}/machine-id`, ''),
    readOr(`${proc}/sys/kernel/random/boot_id`, ''),
    readOr(`${etc}/os-release`, ''),
    readOr(`${sys}/class/dmi/id/product_uuid`, ''),
    fs.statfs(options.rootDirectory),
    readOr(`${proc}/net/route`, ''),
  ]);
  const memKb = /^MemTotal:\s+(\d+)\s+kB/m.exec(meminfo)?.[1];
  return {
    hostname: hostname().toLowerCase(),
    cpuCount: cpus().length,
    memoryBytes: memKb === undefined ? 0 : Number(memKb) * 1024,
    maxPods: options.maxPods ?? 110,
    ephemeralStorageBytes: stat.blocks * stat.bsize,
    machineID: machineID.trim(),
    systemUUID: systemUUID.trim(),
    bootID: bootID.trim(),
    kernelVersion: release(),
    osImage: prettyName(osRelease),
    operatingSystem: 'linux',
    architecture: GOARCH[arch()] ?? arch(),
    internalIP: pickAddress(options.interfaceName, defaultRouteInterface(routes)),
  };
}

/** PRETTY_NAME from os-release, as kubelet's osImage ("Debian GNU/Linux 12 (bookworm)"). */
export function prettyName(osRelease: string): string {
  const value = /^PRETTY_NAME=(.*)$/m.exec(osRelease)?.[1]?.trim() ?? 'Linux';
  return value.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

/** The interface of the IPv4 default route (destination 00000000) from /proc/net/route. */
export function defaultRouteInterface(routes: string): string | undefined {
  for (const line of routes.split('\n').slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (destination === '00000000' && mask === '00000000') return iface;
  }
  return undefined;
}

/** Interfaces of containers and bridges never carry the node's address. */
const POD_INTERFACE = /^(cni|veth|docker|cali|flannel|cilium|kube-|br-|virbr|tun|tap)/;

function pickAddress(wanted: string | undefined, defaultIface: string | undefined): string | undefined {
  const all = networkInterfaces();
  const ipv4 = (name: string): string | undefined => all[name]?.find((a) => a.family === 'IPv4' && !a.internal)?.address;
  if (wanted !== undefined && wanted !== '') return ipv4(wanted);
  if (defaultIface !== undefined) {
    const address = ipv4(defaultIface);
    if (address !== undefined) return address;
  }
  for (const name of Object.keys(all)) {
    if (POD_INTERFACE.test(name)) continue;
    const address = ipv4(name);
    if (address !== undefined) return address;
  }
  return undefined;
}

async function readOr(path: string, fallback: string): Promise<string> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch {
    return fallback; // Not every host has every file (no DMI in VMs and containers); the field stays empty.
  }
}
