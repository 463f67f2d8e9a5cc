/**
 * The devices.kubeedge.io/v1beta1 CRDs (Device, DeviceModel, DeviceStatus) as YAML manifests beside this file, so
 * that users, keadm and cloudcore install the same text (`kubectl apply -f pkg/devices/crds/`), and the loader and
 * installer cloudcore uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Client, KubeObject, ResourceRef } from '../../kube';
import { ensureCRDs, type EnsureCrdsOptions } from '../../kube/ensure-crds';
import { DEVICE_RESOURCES } from '../api';

/** Where the manifests are: beside this file, or, once compiled to dist/, in the source tree (they are not copied). */
export const DEVICE_CRDS_DIR = __dirname.endsWith(join('dist', 'pkg', 'devices', 'crds')) ? join(__dirname, '../../../../pkg/devices/crds') : __dirname;

/** The manifest of each resource, in install order. */
export const DEVICE_CRD_FILES: readonly { file: string; served: ResourceRef }[] = Object.freeze([
  { file: 'devices_v1beta1_devicemodel.yaml', served: DEVICE_RESOURCES.deviceModels },
  { file: 'devices_v1beta1_device.yaml', served: DEVICE_RESOURCES.devices },
  { file: 'devices_v1beta1_devicestatus.yaml', served: DEVICE_RESOURCES.deviceStatuses },
]);

export type CustomResourceDefinition = KubeObject & { spec: Record<string, unknown> };

/** The three CRDs, read and parsed afresh (callers may change what they get). Throws naming the file on bad YAML. */
export function deviceCRDs(dir: string = DEVICE_CRDS_DIR): CustomResourceDefinition[] {
  return DEVICE_CRD_FILES.map(({ file }) => readCrd(join(dir, file)));
}

function readCrd(path: string): CustomResourceDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the device CRD manifest ${path}: ${(error as Error).message}; it ships with the source tree (pkg/devices/crds)`, { cause: error });
  }
  const crd = parse(text) as CustomResourceDefinition | null;
  if (crd?.kind !== 'CustomResourceDefinition' || typeof crd.spec !== 'object') {
    throw new Error(`${path} is not a CustomResourceDefinition manifest (kind ${String(crd?.kind)})`);
  }
  return crd;
}

/**
 * Installs the device CRDs that are missing (existing ones are left as they are: KubeEdge's own, or a newer copy) and
 * waits until Device, DeviceModel and DeviceStatus are served. Fails with CrdNotServedError (code CRD_NOT_SERVED).
 */
export async function ensureDeviceCRDs(client: Client, options: EnsureCrdsOptions = {}): Promise<void> {
  const crds = deviceCRDs();
  await ensureCRDs(
    client,
    crds.map((crd, i) => ({ crd, served: DEVICE_CRD_FILES[i]!.served })),
    options,
  );
}
