/** Writes a kubeconfig that `kubectl` and @kubernetes/client-node can use as it is (certificates embedded). */
import { chmodSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  user?: string;
  cluster?: string;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const cluster = o.cluster ?? 'kubeedge-ts';
  const user = o.user ?? 'kubernetes-admin';
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: o.server, 'certificate-authority-data': b64(o.caPem) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(o.clientCertPem), 'client-key-data': b64(o.clientKeyPem) } }],
    contexts: [{ name: `${user}@${cluster}`, context: { cluster, user } }],
    'current-context': `${user}@${cluster}`,
    preferences: {},
  });
}

/** Written with mode 0600: it holds a private key. */
export function writeKubeconfig(path: string, options: KubeconfigOptions): void {
  writeFileSync(path, kubeconfigYaml(options), { mode: 0o600 });
  chmodSync(path, 0o600);
}
