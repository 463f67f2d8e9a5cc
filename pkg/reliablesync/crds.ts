/**
 * The CustomResourceDefinitions of reliable-sync records, shaped like KubeEdge's `reliablesyncs.kubeedge.io/v1alpha1`
 * (spec objectAPIVersion/objectKind/objectName, status objectResourceVersion, status subresource), so records written
 * here and by KubeEdge's cloudcore are interchangeable.
 */
import type { KubeObject } from '../kube';
import { CLUSTER_OBJECT_SYNCS, OBJECT_SYNCS, RELIABLE_SYNC_GROUP } from './records';

const str = (description: string) => ({ type: 'string', description });

function recordSchema(what: string): Record<string, unknown> {
  return {
    type: 'object',
    description: `${what} Named <node name>.<object uid>.`,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        description: 'The object the record is about.',
        properties: {
          objectAPIVersion: str('apiVersion of the object.'),
          objectKind: str('kind of the object.'),
          objectName: str('name of the object (in the namespace of this record, for an ObjectSync).'),
        },
      },
      status: {
        type: 'object',
        properties: {
          objectResourceVersion: str('The resourceVersion of the object the edge node acknowledged last.'),
        },
      },
    },
  };
}

const PRINTER_COLUMNS = [
  { name: 'Kind', type: 'string', jsonPath: '.spec.objectKind' },
  { name: 'Object', type: 'string', jsonPath: '.spec.objectName' },
  { name: 'Delivered', type: 'string', description: 'resourceVersion the edge node acknowledged', jsonPath: '.status.objectResourceVersion' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

function crd(ref: { plural: string; kind: string }, scope: 'Namespaced' | 'Cluster', what: string): KubeObject & { spec: unknown } {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${ref.plural}.${RELIABLE_SYNC_GROUP}` },
    spec: {
      group: RELIABLE_SYNC_GROUP,
      scope,
      names: { plural: ref.plural, singular: ref.kind.toLowerCase(), kind: ref.kind, listKind: `${ref.kind}List` },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: { openAPIV3Schema: recordSchema(what) },
        },
      ],
    },
  };
}

/** ObjectSync (Namespaced) and ClusterObjectSync (Cluster). Treat as read-only. */
export const RELIABLE_SYNC_CRDS: readonly (KubeObject & { spec: unknown })[] = Object.freeze([
  crd(OBJECT_SYNCS, 'Namespaced', 'The version of a namespaced object an edge node has acknowledged.'),
  crd(CLUSTER_OBJECT_SYNCS, 'Cluster', 'The version of a cluster-scoped object an edge node has acknowledged.'),
]);
