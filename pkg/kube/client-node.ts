/**
 * The one place that loads @kubernetes/client-node. It ships ESM only and this project compiles to CommonJS with
 * module "node16", under which TypeScript refuses a static import of an ES module (TS1479) although Node 20.19+ can
 * `require()` it. So: types through a type-only import marked resolution-mode "import", the value through require().
 */
import type * as ClientNode from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const clientNode = require('@kubernetes/client-node') as typeof ClientNode;

export const { HttpMethod, IsomorphicFetchHttpLibrary, KubeConfig, RequestContext, ServerConfiguration, Watch } = clientNode;

export type HttpMethod = ClientNode.HttpMethod;
export type KubeConfig = ClientNode.KubeConfig;
export type RequestContext = ClientNode.RequestContext;
export type ServerConfiguration<T extends Record<string, string>> = ClientNode.ServerConfiguration<T>;
export type Watch = ClientNode.Watch;
