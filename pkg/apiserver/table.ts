/** Server-side printing: `kubectl get` asks for a meta.k8s.io/v1 Table and prints its cells as they are. */
import type { ServedType } from './served-type';
import type { KubeObject } from './storage';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Whether the Accept header asks for a Table (kubectl get does; -o yaml/json does not). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',')[0]!.replace(/\s+/g, '');
  return first.includes('as=Table') && first.includes('g=meta.k8s.io');
}

/** The Table version the client asked for (kubectl offers v1 then v1beta1). */
export function tableApiVersion(accept: string | undefined): string {
  const first = (accept ?? '').split(',')[0]!.replace(/\s+/g, '');
  return first.includes('v=v1beta1') ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1';
}

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function buildTable(
  type: ServedType,
  objects: readonly KubeObject[],
  options: { apiVersion: string; include: IncludeObject; resourceVersion?: string; columns?: boolean; nowMs?: number },
): Record<string, unknown> {
  const nowMs = options.nowMs ?? Date.now();
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata: options.resourceVersion ? { resourceVersion: options.resourceVersion } : {},
    columnDefinitions: options.columns === false ? [] : type.table.columns,
    rows: objects.map((object) => ({
      cells: type.table.cells(object, nowMs),
      ...conditionsOf(type, object),
      ...(options.include === 'None' ? {} : { object: includedObject(object, options.include) }),
    })),
  };
}

function includedObject(object: KubeObject, include: IncludeObject): KubeObject {
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

function conditionsOf(type: ServedType, object: KubeObject): { conditions?: unknown[] } {
  const conditions = type.table.conditions?.(object);
  return conditions && conditions.length > 0 ? { conditions } : {};
}
