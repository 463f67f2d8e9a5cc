/**
 * The catalogue's contract: everything the generic REST handlers need to know about one built-in resource, as data
 * and pure functions over decoded JSON objects. Nothing here does I/O or keeps state.
 */
import type { FieldError } from '../schema/errors';

/** A decoded JSON object (a Kubernetes object, or a part of one). */
export type KObject = Record<string, unknown>;

/** A whole object as the HTTP layer and storage hold it (the same shape as storage's `KubeObject`). */
export interface TopObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

/** A validation failure, as `field.Error` renders it: `message` has no field prefix (`Required value`). */
export type Cause = FieldError;

/** A column of a `meta.k8s.io/v1` Table; `priority` 1 columns are shown by `kubectl get -o wide` only. */
export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** `TableRowCondition`: the real server marks finished pods `Completed` (kubectl may hide such rows). */
export interface TableRowCondition {
  type: 'Completed';
  status: 'True';
  reason: string;
  message: string;
}

export interface TablePrinter {
  readonly columns: TableColumnDefinition[];
  /** One row's cells, in column order. Ages are computed server-side against `nowMs` (defaults to the wall clock). */
  cells(obj: KObject, nowMs?: number): unknown[];
  /** Row conditions, when the real printer sets any. */
  conditions?(obj: KObject): TableRowCondition[] | undefined;
}

/** Where `/scale` (autoscaling/v1 Scale) reads and writes, as JSONPaths like a CRD's scale subresource. */
export interface ScaleSubresource {
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  /** For built-ins this points at a LabelSelector object, not a string: use `selector()` for Scale.status.selector. */
  readonly labelSelectorPath: string;
  /** `Scale.status.selector`: the label selector in its string form (`app=web,tier in (a,b)`). */
  selector(obj: KObject): string;
}

/** An OpenAPI v3 schema node, as JSON. */
export type OpenApiSchema = { [key: string]: unknown };

export interface TypeSchema {
  /** Component name, e.g. `io.k8s.api.core.v1.Pod`. */
  readonly name: string;
  /** Component name of the list kind, e.g. `io.k8s.api.core.v1.PodList`. */
  readonly listName: string;
  /** The component itself. */
  readonly schema: OpenApiSchema;
  /** Every component reachable from the kind (itself included), by name, for resolving `$ref`s. */
  readonly components: Readonly<Record<string, OpenApiSchema>>;
}

/**
 * One built-in resource. Write paths call, in this order:
 *   create: defaults(obj) -> prepareForCreate?(obj) -> validate(obj)
 *   update: defaults(next) -> prepareForUpdate?(next, old) -> validate(next, old)
 * (after the HTTP layer has carried the system metadata over: uid, creationTimestamp, resourceVersion).
 * Updates through a `status` subresource are the caller's: keep `spec` (and metadata but for labels and annotations)
 * from the stored object; `prepareForUpdate` is for the main resource only.
 */
export interface BuiltinType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: string[];
  readonly categories: string[];
  /** Verbs as the real discovery document lists them for the main resource. */
  readonly verbs: string[];
  /** Subresources this server serves for the type. */
  readonly subresources: string[];
  /** Set when objects are stored as another resource (events.k8s.io/v1 events live as core/v1 events). */
  readonly storageResource?: { readonly group: string; readonly plural: string };
  /** View -> stored form; present exactly when `storageResource` is. Returns a new object. */
  toStorage?(obj: TopObject): TopObject;
  /** Stored form -> view. Returns a new object. */
  fromStorage?(obj: TopObject): TopObject;
  /**
   * Scheme defaulting plus the create-time mutations of the real registry and default admission plugins
   * (ServiceAccount, Priority). Mutates `obj`, which the caller owns; idempotent, so it may run on every write.
   */
  defaults(obj: KObject): void;
  /** Registry behaviour on create: the status a new object starts with, `generation: 1`. Mutates `obj`. */
  prepareForCreate?(obj: KObject): void;
  /**
   * Registry behaviour on update of the main resource: status kept from the stored object, allocated values kept
   * (a Service's cluster IP), generation bumped on spec changes. Mutates `next`.
   */
  prepareForUpdate?(next: KObject, old: KObject): void;
  /** Create (old undefined) or update validation of a defaulted object, metadata included. */
  validate(obj: KObject, old?: KObject): Cause[];
  /**
   * A 400 the real decoder would answer before validation (a Secret's data that is not base64): the text after
   * `<Kind> in version "v1" cannot be handled as a <Kind>: `, or undefined.
   */
  decodeError?(obj: KObject): string | undefined;
  /** Paths of fields the schema does not know, as `fieldValidation=Strict|Warn` reports them. */
  unknownFields(obj: KObject): string[];
  /** Deletes the unknown fields in place (the real decoder drops them) and returns their paths. */
  dropUnknownFields(obj: KObject): string[];
  readonly table: TablePrinter;
  readonly scale?: ScaleSubresource;
  readonly openapi: TypeSchema;
}

/** What a resource module defines; the catalogue derives the schema-based helpers. */
export type BuiltinDefinition = Omit<BuiltinType, 'unknownFields' | 'dropUnknownFields'>;
