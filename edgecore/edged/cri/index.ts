export { CriClient, normalizeEndpoint, type CriClientOptions, type ExecResult, type RuntimeVersion } from './client';
export { CriError, isNotFound, isUnavailable, toCriError } from './errors';
export * as labels from './labels';
