/** Devices as KubeEdge defines them: the CRDs' JSON, the twin JSON and the MQTT topics. */
export * from './api';
export * from './twin-json';
export * from './topics';
