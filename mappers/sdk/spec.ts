/**
 * A DMI Device and its DeviceModel compiled, once, into what the SDK runs: every configData decoded and parsed by the
 * driver, every cycle defaulted, every push method checked. All problems are collected into one SpecError.
 */
import { decodeAnyMap, type ConfigValue } from '../../pkg/dmi/any-values';
import type { Device, DeviceModel, DeviceProperty, ModelProperty } from '../../gen/kubeedge/dmi/v1beta1/api';
import { ConfigDataReader } from './config-data';
import type { PropertyContext, ProtocolDriver } from './driver';
import { SpecError } from './errors';
import { IDENTITY, MODEL_TYPES_HINT, parseBound, parseValueType, type Transform, type ValueSpec } from './values';
import { compilePushMethods, type PushTarget } from './push-spec';

/** KubeEdge's mapper template defaults for collectCycle and reportCycle (pkg/common/const.go): 1 s. */
export const DEFAULT_CYCLE_MS = 1000;

export interface PropertySpec<V> {
  readonly name: string;
  readonly context: PropertyContext;
  readonly value: ValueSpec;
  readonly unit: string;
  readonly visitor: V;
  /** The visitor's configData as JSON: equal text means an unchanged visitor across an UpdateDevice. */
  readonly visitorKey: string;
  readonly desired: { readonly value: string; readonly metadata: Readonly<Record<string, string>> } | undefined;
  readonly collectCycleMs: number;
  readonly reportCycleMs: number;
  readonly reportToCloud: boolean;
  readonly push: readonly PushTarget[];
}

export interface MethodSpec {
  readonly name: string;
  readonly description: string;
  readonly propertyNames: readonly string[];
}

export interface DeviceSpec<P, V> {
  /** `<namespace>/<name>`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly modelId: string;
  readonly protocol: P;
  /** JSON of `protocol`: equal text means the same connection. */
  readonly protocolKey: string;
  readonly properties: readonly PropertySpec<V>[];
  readonly methods: readonly MethodSpec[];
  /** spec.stateReport (device status in DMI): periodic state reports when reportToCloud. */
  readonly stateReport: { readonly reportToCloud: boolean; readonly cycleMs: number };
  /** Settings this SDK does not act on (e.g. database push methods), for one log line each. */
  readonly warnings: readonly string[];
}

export function deviceId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** A namespace that edgecore left empty means default, as in Kubernetes. */
export function namespaceOf(namespace: string): string {
  return namespace === '' ? 'default' : namespace;
}

/** The model a device names, as a registry key. */
export function modelIdOf(device: Device): string {
  return deviceId(namespaceOf(device.namespace), device.spec?.deviceModelReference ?? '');
}

export function compileDevice<P, V>(device: Device, model: DeviceModel, driver: ProtocolDriver<P, V>): DeviceSpec<P, V> {
  const namespace = namespaceOf(device.namespace);
  const id = deviceId(namespace, device.name);
  const issues: string[] = [];
  const warnings: string[] = [];
  const spec = device.spec;
  if (spec === undefined) throw new SpecError(`device ${id}`, ['spec: missing; send the Device with its spec']);

  const protocolName = spec.protocol?.protocolName ?? '';
  if (protocolName !== driver.protocol) {
    issues.push(`spec.protocol.protocolName: ${JSON.stringify(protocolName)} is not this mapper's protocol; this mapper serves ${driver.protocol}`);
  }
  const protocolReader = reader(spec.protocol?.configData?.data, 'spec.protocol.configData', issues);
  const protocol = protocolReader && driver.parseProtocol(protocolReader);
  if (protocolReader) issues.push(...protocolReader.issues);

  const modelProperties = new Map((model.spec?.properties ?? []).map((property) => [property.name, property]));
  const seen = new Set<string>();
  const properties: PropertySpec<V>[] = [];
  spec.properties.forEach((property, index) => {
    const path = `spec.properties[${index}]`;
    if (property.name === '') return void issues.push(`${path}.name: missing; name a property of model ${model.name}`);
    if (seen.has(property.name)) return void issues.push(`${path}.name: ${property.name} appears twice; list each property once`);
    seen.add(property.name);
    const modelProperty = modelProperties.get(property.name);
    if (modelProperty === undefined) {
      const known = [...modelProperties.keys()].join(', ') || '(none)';
      return void issues.push(`${path}.name: model ${model.name} has no property ${property.name}; its properties: ${known}`);
    }
    const compiled = compileProperty(property, modelProperty, driver, path, issues, warnings);
    if (compiled) properties.push(compiled);
  });

  const methods = spec.methods.map((method, index) => {
    const unknown = method.propertyNames.filter((name) => !seen.has(name));
    if (method.name === '') issues.push(`spec.methods[${index}].name: missing; name the method`);
    if (unknown.length > 0) {
      issues.push(`spec.methods[${index}].propertyNames: ${unknown.join(', ')} not among the device's properties; list properties from spec.properties`);
    }
    return { name: method.name, description: method.description, propertyNames: [...method.propertyNames] };
  });

  if (issues.length > 0) throw new SpecError(`device ${id}`, issues);
  return {
    id,
    namespace,
    name: device.name,
    modelId: deviceId(namespace, model.name),
    protocol: protocol as P,
    protocolKey: JSON.stringify(protocol),
    properties,
    methods,
    stateReport: {
      reportToCloud: device.status?.reportToCloud ?? false,
      cycleMs: cycle(device.status?.reportCycle ?? 0),
    },
    warnings,
  };
}

function compileProperty<P, V>(
  property: DeviceProperty,
  model: ModelProperty,
  driver: ProtocolDriver<P, V>,
  path: string,
  issues: string[],
  warnings: string[],
): PropertySpec<V> | undefined {
  const before = issues.length;
  const modelPath = `model property ${model.name}`;
  const type = parseValueType(model.type);
  if (type === undefined) issues.push(`${modelPath}: type ${JSON.stringify(model.type)} is unknown; ${MODEL_TYPES_HINT}`);
  const accessMode = model.accessMode === 'ReadWrite' ? 'ReadWrite' : model.accessMode === 'ReadOnly' || model.accessMode === '' ? 'ReadOnly' : undefined;
  if (accessMode === undefined) issues.push(`${modelPath}: accessMode ${JSON.stringify(model.accessMode)} is unknown; write ReadWrite or ReadOnly`);
  const minimum = parseBound(model.minimum);
  const maximum = parseBound(model.maximum);
  if (!minimum.ok) issues.push(`${modelPath}: minimum ${JSON.stringify(model.minimum)} is not a number; write a number or leave it empty`);
  if (!maximum.ok) issues.push(`${modelPath}: maximum ${JSON.stringify(model.maximum)} is not a number; write a number or leave it empty`);
  if (minimum.ok && maximum.ok && minimum.value !== undefined && maximum.value !== undefined && minimum.value > maximum.value) {
    issues.push(`${modelPath}: minimum ${minimum.value} is above maximum ${maximum.value}; swap them`);
  }
  if (type === undefined || accessMode === undefined) return undefined;

  const context: PropertyContext = { name: property.name, type, accessMode };
  const visitorReader = reader(property.visitors?.configData?.data, `${path}.visitors.configData`, issues);
  const parsed = visitorReader && driver.parseVisitor(visitorReader, context);
  if (visitorReader) issues.push(...visitorReader.issues);
  const push = compilePushMethods(property.pushMethod, `${path}.pushMethod`, issues, warnings);
  if (issues.length > before || parsed === undefined) return undefined;

  const transform: Transform = parsed.transform ?? IDENTITY;
  const desired = property.desired?.value ? { value: property.desired.value, metadata: { ...property.desired.metadata } } : undefined;
  return {
    name: property.name,
    context,
    value: {
      type,
      transform,
      ...(minimum.ok && minimum.value !== undefined ? { minimum: minimum.value } : {}),
      ...(maximum.ok && maximum.value !== undefined ? { maximum: maximum.value } : {}),
    },
    unit: model.unit,
    visitor: parsed.visitor,
    visitorKey: JSON.stringify(visitorReaderData(property.visitors?.configData?.data)),
    desired,
    collectCycleMs: cycle(property.collectCycle),
    reportCycleMs: cycle(property.reportCycle),
    reportToCloud: property.reportToCloud,
    push,
  };
}

/** 0 (unset) means the default; negative cycles are treated as unset too (proto int64 has no "absent"). */
function cycle(ms: number): number {
  return ms > 0 ? ms : DEFAULT_CYCLE_MS;
}

function reader(data: Parameters<typeof decodeAnyMap>[0], path: string, issues: string[]): ConfigDataReader | undefined {
  let decoded: Record<string, ConfigValue>;
  try {
    decoded = decodeAnyMap(data);
  } catch (error) {
    issues.push(`${path}: ${(error as Error).message}`);
    return undefined;
  }
  return new ConfigDataReader(decoded, path);
}

function visitorReaderData(data: Parameters<typeof decodeAnyMap>[0]): Record<string, string> {
  try {
    return Object.fromEntries(Object.entries(decodeAnyMap(data)).map(([key, value]) => [key, String(value)]).sort());
  } catch {
    return {};
  }
}
