/**
 * `meta.k8s.io/v1` Table responses (what `kubectl get` asks for), for custom resources and, through the generic
 * builder, for built-in types with their own columns.
 *
 * For a CRD the server's columns are Name, then the version's additionalPrinterColumns, or Age alone when the CRD
 * defines none. Cells are typed per column; a `date` cell is computed by the server as a human-readable age
 * ("5m10s") at the time of the request, which is what kubectl prints. `includeObject` decides what each row's
 * `object` is: nothing, a PartialObjectMetadata (the default), or the whole object.
 */
import type { PrinterColumn } from './crd-types';
import { goJson, goNumber, isInt64 } from './go-format';
import { findJsonPath, parseJsonPath } from './jsonpath';
import { isObject } from './schema-types';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableColumn {
  readonly definition: TableColumnDefinition;
  /** The cell for one object (decoded JSON); `null` for "no value". */
  cell(obj: Record<string, unknown>): unknown;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** From `?includeObject=`; kubectl asks for Object when it prints with -o wide/custom templates. Default Metadata. */
  readonly includeObject?: IncludeObject;
  /** Omit columnDefinitions (the server does so on watch events after the first). */
  readonly noHeaders?: boolean;
  /** The list's (or the single object's) resourceVersion, and the list's paging fields. */
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[] | null;
  rows: { cells: unknown[]; object: unknown }[];
}

const NAME_DESCRIPTION = 'Name of the object, unique among objects of its kind in its namespace.';
const CREATION_DESCRIPTION = 'How long ago the object was created.';

/** apimachinery's duration.HumanDuration: "45s", "5m10s", "3h", "2d4h", "1y30d". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** Go's time.Parse(time.RFC3339, s) in milliseconds, or undefined. */
export function parseRfc3339(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || sec > 59) return undefined;
  const offset = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (m[8] !== 'Z' && (Number(m[10]) > 23 || Number(m[11]) > 59)) return undefined;
  const fraction = m[7] ? Math.trunc(Number(`0${m[7]}`) * 1000) : 0;
  return Date.UTC(y, mo - 1, d, h, mi, sec, fraction) - offset * 60_000;
}

/** A `date` cell: "<unknown>" for an empty time, "<invalid>" for a bad one, else the age now. */
function dateCell(value: unknown, now: number): unknown {
  if (typeof value !== 'string') return null;
  if (value === '' || value === 'null') return '<unknown>';
  const at = parseRfc3339(value);
  return at === undefined ? '<invalid>' : humanDuration(now - at);
}

/** Cell conversion of the CRD table convertor (cellForJSONValue, and client-go's text printing for strings). */
export function typedCell(type: string, value: unknown, now: number): unknown {
  if (type === 'string') {
    if (value === null || value === undefined) return '<no value>';
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return goNumber(value);
    if (typeof value === 'boolean') return String(value);
    return goJson(value);
  }
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? (isInt64(value) ? value : Math.trunc(value)) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return dateCell(value, now);
    default:
      return null;
  }
}

const metadataOf = (obj: Record<string, unknown>): Record<string, unknown> => (isObject(obj.metadata) ? obj.metadata : {});

export function nameColumn(): TableColumn {
  return {
    definition: { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
    cell: (obj) => {
      const name = metadataOf(obj).name;
      return typeof name === 'string' ? name : '';
    },
  };
}

/** A column from a JSONPath, with the CRD convertor's cell typing. `now` is the injected clock (ms). */
export function jsonPathColumn(col: Omit<PrinterColumn, 'description'> & { description?: string }, now: () => number): TableColumn {
  const path = parseJsonPath(`{${col.jsonPath}}`);
  return {
    definition: {
      name: col.name,
      type: col.type,
      format: col.format,
      description: col.description || `Value at JSONPath ${col.jsonPath}.`,
      priority: col.priority,
    },
    cell: (obj) => {
      const results = findJsonPath(path, obj);
      return results.length === 0 ? null : typedCell(col.type, results[0], now());
    },
  };
}

/** The Age column as the server adds it to CRDs without printer columns. */
export function ageColumn(now: () => number): TableColumn {
  const column = jsonPathColumn({ name: 'Age', type: 'date', format: '', jsonPath: '.metadata.creationTimestamp', priority: 0 }, now);
  return { ...column, definition: { ...column.definition, description: CREATION_DESCRIPTION } };
}

/**
 * Columns for a CRD version: Name, then its printer columns (or Age if none). A column whose JSONPath does not
 * parse ends the list there, as the server's table convertor stops at the first bad column.
 */
export function crdTableColumns(printerColumns: readonly PrinterColumn[], now: () => number): TableColumn[] {
  const columns = [nameColumn()];
  if (printerColumns.length === 0) return [...columns, ageColumn(now)];
  for (const col of printerColumns) {
    try {
      columns.push(jsonPathColumn(col, now));
    } catch {
      break;
    }
  }
  return columns;
}

function rowObject(obj: Record<string, unknown>, include: IncludeObject): unknown {
  if (include === 'None') return null;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(obj) };
}

/** A Table of `objects` (decoded JSON objects; anything else is skipped). */
export function buildTable(objects: readonly unknown[], columns: readonly TableColumn[], options: TableOptions = {}): Table {
  const metadata: Table['metadata'] = {};
  if (options.resourceVersion) metadata.resourceVersion = options.resourceVersion;
  if (options.continue) metadata.continue = options.continue;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.noHeaders ? null : columns.map((c) => ({ ...c.definition })),
    rows: objects.filter(isObject).map((obj) => ({
      cells: columns.map((c) => c.cell(obj)),
      object: rowObject(obj, options.includeObject ?? 'Metadata'),
    })),
  };
}
