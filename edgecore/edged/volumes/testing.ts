import type { ConfigMap, Secret } from '../api';
import type { ObjectSource, ServiceAccountTokenRequest } from '../object-source';

/** An in-memory ObjectSource for tests: objects by `namespace/name`, tokens minted on request. */
export class MemoryObjects implements ObjectSource {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  readonly tokenRequests: ServiceAccountTokenRequest[] = [];
  tokens = true;

  async configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    return this.configMaps.get(`${namespace}/${name}`);
  }

  async secret(namespace: string, name: string): Promise<Secret | undefined> {
    return this.secrets.get(`${namespace}/${name}`);
  }

  async serviceAccountToken(request: ServiceAccountTokenRequest): Promise<{ token: string } | undefined> {
    this.tokenRequests.push(request);
    return this.tokens ? { token: `token-${this.tokenRequests.length}-for-${request.serviceAccountName}` } : undefined;
  }

  putConfigMap(namespace: string, name: string, data: Record<string, string>): void {
    this.configMaps.set(`${namespace}/${name}`, { metadata: { namespace, name }, data });
  }

  putSecret(namespace: string, name: string, data: Record<string, string>): void {
    const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    this.secrets.set(`${namespace}/${name}`, { metadata: { namespace, name }, data: encoded });
  }
}
