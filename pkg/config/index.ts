/**
 * Configuration machinery shared by cloudcore and edgecore: zod schemas built from typed field
 * helpers are the single source of truth for validation, defaults and the commented default file.
 */
export { formatHostPort, isHost, isHostName, parseHostPort, type HostPort } from './address';
export { labels, list } from './collections';
export { formatDurationMs, parseDurationMs, type BareNumberUnit } from './duration';
export { ConfigError, type ConfigErrorCode, type ConfigIssue } from './errors';
export { boolean, field, integer, leaf, oneOf, parsedLeaf, text, type FieldMeta, type ValueProblem } from './field';
export { loadConfig, parseConfig, type ConfigSource } from './load';
export { enabledModules, moduleSection, moduleSections, type ModuleCatalogue, type ModuleStatus } from './modules';
export { absolutePath, host, hostPort, hostPortInput, port, url } from './network';
export { bad, ok, type Parsed } from './parse-result';
export { parseByteQuantity } from './quantity';
export { configReference, type FieldReference } from './reference';
export { renderConfigReference, type ReferencePage } from './reference-markdown';
export { renderDefaultConfig } from './render';
export { section, type SectionOutput } from './section';
export { defaultConfig, defineConfig, type ConfigOf, type ConfigSpec } from './spec';
export { byteSize, duration, MAX_TIMER_MS, type Bytes, type Milliseconds } from './units';
