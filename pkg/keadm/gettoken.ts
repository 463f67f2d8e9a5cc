/**
 * keadm gettoken: prints the join token cloudcore keeps in Secret kubeedge/tokensecret (see pkg/join TokenKeeper).
 * Like KubeEdge's, it reads the Secret with the cluster's kubeconfig; it does not make tokens itself.
 */
import { KUBEEDGE_NAMESPACE, TOKEN_SECRET } from '../join';
import { createClient, isNotFound, KubeApiError, KubeConfigError, loadKubeConfig, RESOURCES, type KubeObject } from '../kube';
import { EXIT_FAILURE, type CliIO } from '../cli';

/** Where the embedded API server writes its admin kubeconfig with cloudcore's default embeddedAPIServer.dataDir. */
const EMBEDDED_KUBECONFIG = '/var/lib/kubeedge/cloudcore/admin.kubeconfig';

export interface GetTokenOptions {
  /** --kube-config; omitted: $KUBECONFIG, then ~/.kube/config. */
  kubeConfig?: string;
}

export async function getToken(options: GetTokenOptions, io: CliIO): Promise<number> {
  const where = `Secret ${KUBEEDGE_NAMESPACE}/${TOKEN_SECRET.name}`;
  const fail = (message: string): number => {
    io.stderr.write(`keadm gettoken: ${message}\n`);
    return EXIT_FAILURE;
  };
  let client;
  try {
    client = createClient(loadKubeConfig({ qps: 5, burst: 10, ...(options.kubeConfig ? { kubeconfigPath: options.kubeConfig } : {}) }));
  } catch (error) {
    if (!(error instanceof KubeConfigError)) throw error;
    return fail(`${error.message}; pass --kube-config (with the embedded API server: ${EMBEDDED_KUBECONFIG})`);
  }
  let secret: KubeObject & { data?: Record<string, string> };
  try {
    secret = await client.resource<typeof secret>(RESOURCES.secrets).get(TOKEN_SECRET.name, { namespace: KUBEEDGE_NAMESPACE, signal: io.signal });
  } catch (error) {
    if (isNotFound(error)) return fail(`${where} not found: is cloudcore running? it creates the token on start`);
    if (error instanceof KubeApiError) return fail(`cannot read ${where}: ${error.message}`);
    throw error;
  }
  const encoded = secret.data?.[TOKEN_SECRET.tokenKey];
  if (!encoded) return fail(`${where} has no data.${TOKEN_SECRET.tokenKey}; restart cloudcore to write a new token`);
  io.stdout.write(`${Buffer.from(encoded, 'base64').toString('utf8').trim()}\n`);
  return 0;
}
