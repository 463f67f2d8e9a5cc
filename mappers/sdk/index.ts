/**
 * The TypeScript mapper SDK: write a ProtocolDriver for a device protocol and get a KubeEdge-compatible mapper
 * (DMI v1beta1 client and server, device registry, collect/report cycles, desired values, MQTT and HTTP pushes,
 * the REST API and device states). See mappers/README.md.
 */
export { mapperMain } from './cli';
export { ConfigDataReader } from './config-data';
export { loadMapperConfig, parseMapperConfig, type MapperConfig } from './config';
export type { DeviceState, Reading, Reporter } from './device-runner';
export { DmiClient } from './dmi-client';
export type { DeviceDriver, DeviceHealth, ParsedVisitor, PropertyContext, ProtocolDriver } from './driver';
export { asDeviceError, DeviceError, SpecError, ValueError, type DeviceErrorCode } from './errors';
export { startMapper, type MapperOptions, type RunningMapper } from './mapper';
export type { DataModel } from './push';
export { DeviceRegistry } from './registry';
export { DEFAULT_CYCLE_MS, type DeviceSpec, type PropertySpec } from './spec';
export { formatNumber, toDeviceValue, toTwinValue, type DeviceValue, type Transform, type ValueType } from './values';
