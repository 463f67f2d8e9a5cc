/**
 * Builds schema.generated.ts from proto/k8s: `buf build` gives the descriptors as JSON (with comments), and the
 * trailing markers on fields (+pointer, +no-omitempty, +inline; see proto/k8s/README.md) become the JSON flags.
 * Only schema.test.ts runs this: it fails when the committed table differs, and rewrites it on request.
 */
import { execFileSync } from 'node:child_process';
import { INLINE, KEEP_ZERO, MAP, REPEATED, type FieldTuple, type PackageTable } from './schema-table';

/** The parts of a protojson FileDescriptorSet that the builder reads. */
interface FieldJson {
  name: string;
  number: number;
  label?: string;
  type: string;
  typeName?: string;
  jsonName?: string;
}
interface MessageJson {
  name: string;
  field?: FieldJson[];
  nestedType?: MessageJson[];
  options?: { mapEntry?: boolean };
}
interface FileJson {
  name: string;
  package: string;
  messageType?: MessageJson[];
  sourceCodeInfo?: { location?: { path?: number[]; trailingComments?: string }[] };
}
export interface DescriptorSetJson {
  file: FileJson[];
}

const SCALARS: Readonly<Record<string, string>> = {
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
  TYPE_BOOL: 'bool',
  TYPE_INT32: 'int32',
  TYPE_INT64: 'int64',
  TYPE_UINT32: 'uint32',
  TYPE_UINT64: 'uint64',
  TYPE_DOUBLE: 'double',
  TYPE_FLOAT: 'float',
};

/** Runs `buf build` over proto/k8s in `repoRoot` and returns the descriptors, comments included. */
export function readDescriptorSet(repoRoot: string): DescriptorSetJson {
  const buf = `${repoRoot}/node_modules/.bin/buf`;
  const out = execFileSync(buf, ['build', '--path', 'proto/k8s', '--as-file-descriptor-set', '-o', '-#format=json'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as DescriptorSetJson;
}

/** Every field's markers, by fully qualified field name (`k8s.io.api.core.v1.PodSpec.priority`). */
export function markersByField(set: DescriptorSetJson): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of set.file) {
    const markers = markersOf(file);
    (file.messageType ?? []).forEach((message, m) =>
      (message.field ?? []).forEach((field, f) => out.set(`${file.package}.${message.name}.${field.name}`, markers.get(`${m}/${f}`) ?? [])),
    );
  }
  return out;
}

/** Field markers by "messageIndex/fieldIndex" (top-level messages only, which is all proto/k8s declares). */
function markersOf(file: FileJson): Map<string, string[]> {
  const markers = new Map<string, string[]>();
  for (const location of file.sourceCodeInfo?.location ?? []) {
    const path = location.path ?? [];
    // 4 = FileDescriptorProto.message_type, 2 = DescriptorProto.field
    if (path.length !== 4 || path[0] !== 4 || path[2] !== 2 || !location.trailingComments) continue;
    const words = location.trailingComments.trim().split(/\s+/).filter((word) => word.startsWith('+'));
    if (words.length > 0) markers.set(`${path[1]}/${path[3]}`, words);
  }
  return markers;
}

export function buildPackageTable(set: DescriptorSetJson): PackageTable {
  const table: Record<string, Record<string, FieldTuple[]>> = {};
  const files = [...set.file].sort((a, b) => a.package.localeCompare(b.package) || a.name.localeCompare(b.name));
  for (const file of files) {
    const markers = markersOf(file);
    const pkg = (table[file.package] ??= {});
    (file.messageType ?? []).forEach((message, messageIndex) => {
      const where = `${file.package}.${message.name}`;
      const entries = new Map((message.nestedType ?? []).filter((n) => n.options?.mapEntry).map((n) => [n.name, n]));
      if ((message.nestedType ?? []).length !== entries.size) throw new Error(`${where}: nested messages are not supported`);
      pkg[message.name] = (message.field ?? []).map((field, fieldIndex): FieldTuple => {
        const at = `${where}.${field.name}`;
        if (field.jsonName !== undefined && field.jsonName !== field.name) {
          throw new Error(`${at}: the JSON name must be the field name (got ${field.jsonName})`);
        }
        if (field.label === 'LABEL_REQUIRED') throw new Error(`${at}: required fields are not supported`);
        const repeated = field.label === 'LABEL_REPEATED';
        const entry = field.typeName ? entries.get(field.typeName.split('.').pop()!) : undefined;
        let type: string;
        let flags = 0;
        if (entry) {
          const [key, value] = entry.field ?? [];
          if (key?.type !== 'TYPE_STRING' || !value) throw new Error(`${at}: only map<string, V> is supported`);
          type = typeOf(value, file.package, at);
          flags |= MAP;
        } else {
          type = typeOf(field, file.package, at);
          if (repeated) flags |= REPEATED;
        }
        const scalar = field.type !== 'TYPE_MESSAGE';
        for (const marker of markers.get(`${messageIndex}/${fieldIndex}`) ?? []) {
          if (marker === '+pointer' || marker === '+no-omitempty') {
            if (!scalar || repeated) throw new Error(`${at}: ${marker} applies to singular scalars only`);
            flags |= KEEP_ZERO;
          } else if (marker === '+inline') {
            if (scalar || repeated || entry) throw new Error(`${at}: +inline applies to singular messages only`);
            flags |= INLINE;
          } else {
            throw new Error(`${at}: unknown marker ${marker}`);
          }
        }
        return flags === 0 ? [field.number, field.name, type] : [field.number, field.name, type, flags];
      });
    });
  }
  return table;
}

function typeOf(field: FieldJson, pkg: string, at: string): string {
  if (field.type === 'TYPE_MESSAGE') {
    const full = (field.typeName ?? '').replace(/^\./, '');
    return full.startsWith(`${pkg}.`) && !full.slice(pkg.length + 1).includes('.') ? full.slice(pkg.length + 1) : full;
  }
  const scalar = SCALARS[field.type];
  if (!scalar) throw new Error(`${at}: field type ${field.type} is not supported`);
  return scalar;
}

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [REPEATED, 'REPEATED'],
  [MAP, 'MAP'],
  [KEEP_ZERO, 'KEEP_ZERO'],
  [INLINE, 'INLINE'],
];

/** The TypeScript module text of a table, formatted the way the repository formats code. */
export function renderSchemaModule(table: PackageTable): string {
  const out: string[] = [
    '// Code generated from proto/k8s by pkg/apiserver/protobuf/schema.test.ts. DO NOT EDIT.',
    '// After changing proto/k8s: UPDATE_PROTO_SCHEMA=1 npx jest pkg/apiserver/protobuf/schema.test.ts',
    "import { INLINE, KEEP_ZERO, MAP, REPEATED, type PackageTable } from './schema-table';",
    '',
    '// Each field: [number, name (also the JSON key), type, flags]; see schema-table.ts.',
    'export const K8S_PACKAGES: PackageTable = {',
  ];
  for (const [pkg, messages] of Object.entries(table)) {
    out.push(`  '${pkg}': {`);
    for (const [name, fields] of Object.entries(messages)) {
      if (fields.length === 0) {
        out.push(`    ${name}: [],`);
        continue;
      }
      out.push(`    ${name}: [`);
      for (const [number, fieldName, type, flags] of fields) {
        const flagText = flags ? `, ${FLAG_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n).join(' | ')}` : '';
        out.push(`      [${number}, '${fieldName}', '${type}'${flagText}],`);
      }
      out.push('    ],');
    }
    out.push('  },');
  }
  out.push('};', '');
  return out.join('\n');
}
