/**
 * `apiextensions.k8s.io/v1` CustomResourceDefinition, read from decoded JSON into typed form. Missing or wrongly
 * typed fields take Go's zero values (`""`, `false`, `[]`), which is what the Go validation code sees.
 */
import { bool, isObject, num, readSchema, str, strList, type Schema } from './schema-types';

export interface CrdNames {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
  categories: string[];
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface Subresources {
  status?: Record<string, never>;
  scale?: ScaleSubresource;
}

export interface PrinterColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  jsonPath: string;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  deprecationWarning?: string;
  /** `schema.openAPIV3Schema`; `schemaSet` tells `schema: {}` apart from no schema at all. */
  schema?: Schema;
  schemaSet: boolean;
  subresources?: Subresources;
  additionalPrinterColumns: PrinterColumn[];
  selectableFields: { jsonPath: string }[];
}

export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  caBundle?: string;
}

export interface CrdConversion {
  strategy: string;
  webhook?: { clientConfig?: WebhookClientConfig; conversionReviewVersions: string[] };
}

export interface Crd {
  metadata: { name: string; generateName: string; annotations: Record<string, string> };
  spec: {
    group: string;
    names: CrdNames;
    scope: string;
    versions: CrdVersion[];
    conversion?: CrdConversion;
    preserveUnknownFields?: boolean;
  };
  status: { storedVersions: string[]; acceptedNames?: CrdNames };
}

const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function readNames(raw: unknown): CrdNames {
  const n = obj(raw);
  return {
    plural: str(n.plural) ?? '',
    singular: str(n.singular) ?? '',
    kind: str(n.kind) ?? '',
    listKind: str(n.listKind) ?? '',
    shortNames: strList(n.shortNames) ?? [],
    categories: strList(n.categories) ?? [],
  };
}

function readSubresources(raw: unknown): Subresources | undefined {
  if (!isObject(raw)) return undefined;
  const out: Subresources = {};
  if (isObject(raw.status)) out.status = {};
  if (isObject(raw.scale)) {
    out.scale = {
      specReplicasPath: str(raw.scale.specReplicasPath) ?? '',
      statusReplicasPath: str(raw.scale.statusReplicasPath) ?? '',
    };
    const selector = str(raw.scale.labelSelectorPath);
    if (selector !== undefined) out.scale.labelSelectorPath = selector;
  }
  return out;
}

function readColumn(raw: unknown): PrinterColumn {
  const c = obj(raw);
  return {
    name: str(c.name) ?? '',
    type: str(c.type) ?? '',
    format: str(c.format) ?? '',
    description: str(c.description) ?? '',
    priority: num(c.priority) ?? 0,
    jsonPath: str(c.jsonPath) ?? '',
  };
}

function readVersion(raw: unknown): CrdVersion {
  const v = obj(raw);
  const schemaHolder = obj(v.schema);
  const version: CrdVersion = {
    name: str(v.name) ?? '',
    served: bool(v.served) ?? false,
    storage: bool(v.storage) ?? false,
    deprecated: bool(v.deprecated) ?? false,
    schemaSet: isObject(v.schema),
    subresources: readSubresources(v.subresources),
    additionalPrinterColumns: list(v.additionalPrinterColumns).map(readColumn),
    selectableFields: list(v.selectableFields).map((f) => ({ jsonPath: str(obj(f).jsonPath) ?? '' })),
  };
  const warning = str(v.deprecationWarning);
  if (warning !== undefined) version.deprecationWarning = warning;
  if (isObject(schemaHolder.openAPIV3Schema)) version.schema = readSchema(schemaHolder.openAPIV3Schema);
  return version;
}

function readConversion(raw: unknown): CrdConversion | undefined {
  if (!isObject(raw)) return undefined;
  const out: CrdConversion = { strategy: str(raw.strategy) ?? '' };
  if (isObject(raw.webhook)) {
    const w = raw.webhook;
    out.webhook = { conversionReviewVersions: strList(w.conversionReviewVersions) ?? [] };
    if (isObject(w.clientConfig)) {
      const c = w.clientConfig;
      const config: WebhookClientConfig = {};
      if (str(c.url) !== undefined) config.url = str(c.url);
      if (str(c.caBundle) !== undefined) config.caBundle = str(c.caBundle);
      if (isObject(c.service)) {
        config.service = { namespace: str(c.service.namespace) ?? '', name: str(c.service.name) ?? '' };
        if (str(c.service.path) !== undefined) config.service.path = str(c.service.path);
        if (num(c.service.port) !== undefined) config.service.port = num(c.service.port);
      }
      out.webhook.clientConfig = config;
    }
  }
  return out;
}

function readAnnotations(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(raw))) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Reads a CRD from decoded JSON. Never throws. */
export function readCrd(raw: unknown): Crd {
  const root = obj(raw);
  const metadata = obj(root.metadata);
  const spec = obj(root.spec);
  const status = obj(root.status);
  const crd: Crd = {
    metadata: {
      name: str(metadata.name) ?? '',
      generateName: str(metadata.generateName) ?? '',
      annotations: readAnnotations(metadata.annotations),
    },
    spec: {
      group: str(spec.group) ?? '',
      names: readNames(spec.names),
      scope: str(spec.scope) ?? '',
      versions: list(spec.versions).map(readVersion),
      conversion: readConversion(spec.conversion),
    },
    status: { storedVersions: strList(status.storedVersions) ?? [] },
  };
  if (isObject(status.acceptedNames)) crd.status.acceptedNames = readNames(status.acceptedNames);
  const preserve = bool(spec.preserveUnknownFields);
  if (preserve !== undefined) crd.spec.preserveUnknownFields = preserve;
  return crd;
}
