export { resolveEnv, type EnvContext, type EnvValue } from './resolve';
export { expand } from './expand';
export { fieldPathValue, formatMap, type PodRuntimeFields } from './field-path';
export { resourceFieldValue } from './resources';
