export { hostInfo, prettyName, defaultRouteInterface, type HostInfo, type HostInfoOptions } from './host';
export {
  buildLease,
  buildNode,
  EDGED_PORT,
  KUBERNETES_VERSION,
  kubeletVersion,
  nodeStatus,
  runtimeProblems,
  type BuildNodeOptions,
  type NodeStatusOptions,
  type RuntimeConditionLike,
} from './status';
