/**
 * Device and DeviceModel CRD objects (YAML as users write them) -> DMI messages, the way KubeEdge's edgecore
 * converts them (facts §1.3), so the example manifests are tested through the SDK. Test support only: edgecore's
 * own conversion lives in edgecore/devicetwin/dmi.
 */
import type { Device as DeviceProto, DeviceModel as ModelProto } from '../../../gen/kubeedge/dmi/v1beta1/api';
import type { Device, DeviceModel } from '../../../pkg/devices';
import { encodeAnyMap } from '../../../pkg/dmi/any-values';

export function modelToProto(model: DeviceModel): ModelProto {
  return {
    name: model.metadata?.name ?? '',
    namespace: model.metadata?.namespace ?? 'default',
    spec: {
      properties: (model.spec?.properties ?? []).map((property) => ({
        name: property.name ?? '',
        description: property.description ?? '',
        type: property.type ?? '',
        accessMode: property.accessMode ?? '',
        minimum: property.minimum ?? '',
        maximum: property.maximum ?? '',
        unit: property.unit ?? '',
      })),
      commands: [],
    },
  };
}

export function deviceToProto(device: Device): DeviceProto {
  const spec = device.spec ?? {};
  return {
    name: device.metadata?.name ?? '',
    namespace: device.metadata?.namespace ?? 'default',
    spec: {
      deviceModelReference: spec.deviceModelRef?.name ?? '',
      protocol: { protocolName: spec.protocol?.protocolName ?? '', configData: { data: encodeAnyMap(spec.protocol?.configData) } },
      properties: (spec.properties ?? []).map((property) => ({
        name: property.name ?? '',
        desired: property.desired ? { value: property.desired.value ?? '', metadata: property.desired.metadata ?? {} } : undefined,
        visitors: { protocolName: property.visitors?.protocolName ?? '', configData: { data: encodeAnyMap(property.visitors?.configData) } },
        reportCycle: property.reportCycle ?? 0,
        collectCycle: property.collectCycle ?? 0,
        reportToCloud: property.reportToCloud ?? false,
        pushMethod: undefined,
      })),
      methods: (spec.methods ?? []).map((method) => ({ name: method.name ?? '', description: method.description ?? '', propertyNames: method.propertyNames ?? [] })),
    },
    // KubeEdge 1.23 fills these from spec.stateReport.
    status: { twins: [], reportToCloud: spec.stateReport?.reportToCloud ?? false, reportCycle: spec.stateReport?.reportCycle ?? 0 },
  };
}
