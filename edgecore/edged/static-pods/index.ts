export {
  CONFIG_HASH_ANNOTATION,
  CONFIG_MIRROR_ANNOTATION,
  CONFIG_SOURCE_ANNOTATION,
  mirrorPod,
  parseManifest,
  pullPolicy,
  type ManifestProblem,
  type ParsedManifest,
} from './manifest';
export { StaticPodSource, type StaticPodEvent, type StaticPodSourceOptions } from './source';
