/**
 * The embedded control plane cloudcore starts when it is given no kubeconfig: the Kubernetes-compatible API server over
 * one SQLite file, its certificates, the system namespaces, and an admin kubeconfig for kubectl and for cloudcore's own
 * client. Everything lives under one data directory and survives restarts.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BUILTIN_TYPES, buildOpenApiDocument } from '../apiserver/builtin';
import { startCrdController } from '../apiserver/crds';
import { createOpenApiService, type DocumentBuilder } from '../apiserver/openapi';
import { groupVersionOpenApiV3 } from '../apiserver/schema';
import { TypeRegistry } from '../apiserver/registry';
import { createApiServer } from '../apiserver/server';
import { openStore, type EventRetentionOptions, type Store } from '../apiserver/storage';
import { ensureSystemNamespaces } from './bootstrap';
import { ensureCertificates } from './certificates';
import { writeKubeconfig } from './kubeconfig';
import { readTokenFile } from './tokens';

export interface ControlPlaneOptions {
  dataDir: string;
  bindAddress: string;
  /** 0 picks a free port (tests). */
  port: number;
  log: Logger;
  /** Extra names and addresses for the serving certificate (the host's address when kubectl runs elsewhere). */
  advertiseAddresses?: string[];
  /** A kube-apiserver style token file; its bearer tokens authenticate as the users it names. */
  tokenAuthFile?: string;
  /** How much watch history is kept (tests shrink it to force 410 Gone). */
  eventRetention?: EventRetentionOptions;
  /** Shortest time between two writes to one watch stream during a burst of events; see WATCH_COALESCE_MS. */
  watchCoalesceMs?: number;
}

export interface ControlPlane {
  /** https://host:port */
  readonly url: string;
  readonly address: AddressInfo;
  /** `<dataDir>/admin.kubeconfig`: for kubectl, and for cloudcore's own client. */
  readonly kubeconfigPath: string;
  readonly store: Store;
  close(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { dataDir, log } = options;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const clientHost = options.bindAddress === '0.0.0.0' || options.bindAddress === '::' ? '127.0.0.1' : options.bindAddress;
  const ips = unique(['127.0.0.1', clientHost, ...(options.advertiseAddresses ?? []).filter(isIp)]);
  const dnsNames = unique(['localhost', 'kubernetes', 'kubernetes.default', ...(options.advertiseAddresses ?? []).filter((a) => !isIp(a))]);
  const tokens = options.tokenAuthFile ? readTokenFile(options.tokenAuthFile) : undefined;
  const certs = await ensureCertificates(dataDir, { ips, dnsNames });

  const store = await openStore({
    file: join(dataDir, 'apiserver.db'),
    log,
    ...(options.eventRetention ? { eventRetention: options.eventRetention } : {}),
  });
  const registry = new TypeRegistry();
  for (const type of BUILTIN_TYPES) registry.add(type);
  const crds = startCrdController({ store, registry, log });
  await crds.synced;
  await ensureSystemNamespaces(store);

  const api = createApiServer({
    store,
    registry,
    openapi: createOpenApiService(registry, openApiDocumentBuilder(store)),
    log: log.child({ component: 'apiserver' }),
    tls: { certPem: certs.server.certPem, keyPem: certs.server.keyPem, clientCaPem: certs.ca.certPem },
    ...(tokens ? { tokens } : {}),
    ...(options.watchCoalesceMs !== undefined ? { watchCoalesceMs: options.watchCoalesceMs } : {}),
  });
  let address: AddressInfo;
  try {
    address = await api.listen(options.port, options.bindAddress);
  } catch (error) {
    await crds.stop();
    await store.close();
    throw error;
  }
  const url = `https://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${address.port}`;
  const kubeconfigPath = join(dataDir, 'admin.kubeconfig');
  writeKubeconfig(kubeconfigPath, {
    server: url,
    caPem: certs.ca.certPem,
    clientCertPem: certs.admin.certPem,
    clientKeyPem: certs.admin.keyPem,
  });
  log.info({ url, kubeconfig: kubeconfigPath }, 'embedded control plane listening');
  return {
    url,
    address,
    kubeconfigPath,
    store,
    async close() {
      await api.close();
      await crds.stop();
      await store.close();
    },
  };
}

/**
 * Built-in group versions are described by the built-in catalogue; a group version served only by CRDs by the CRDs'
 * own schemas, so that kubectl explain and validation see the fields the CRD declares.
 */
function openApiDocumentBuilder(store: Store): DocumentBuilder {
  const builtinGroupVersions = new Set(BUILTIN_TYPES.map((t) => `${t.group}/${t.version}`));
  return (group, version, types) => {
    if (builtinGroupVersions.has(`${group}/${version}`)) return buildOpenApiDocument(group, version, types);
    const crds = store.list('/apiextensions.k8s.io/customresourcedefinitions/').items.map((stored) => stored.object);
    return groupVersionOpenApiV3(crds, group, version) as unknown as Record<string, unknown>;
  };
}

const isIp = (value: string): boolean => /^[\d.]+$/.test(value) || value.includes(':');
const unique = (values: string[]): string[] => [...new Set(values)];
