/**
 * The protobuf descriptors Kubernetes compiles into its binaries: gogo-generated code registers each generated.proto as
 * a gzipped FileDescriptorProto, so a kubectl binary carries the exact wire schema of its client-go release, with
 * gogoproto options that tell which Go fields are pointers. Test aid only: it checks proto/k8s against a real client.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, type DescriptorProto } from '@bufbuild/protobuf/wkt';
import { readFileSync } from 'node:fs';
import { constants, inflateRawSync } from 'node:zlib';

/** gogoproto.nullable (field option 65001): present (false) on a non-pointer Go field. */
const GOGO_NULLABLE = 65001;

export interface UpstreamField {
  number: number;
  name: string;
  repeated: boolean;
  /** Scalar keyword as in schema-table.ts, or a fully qualified message name; a map's value type for maps. */
  type: string;
  map: boolean;
  /** The Go field is a pointer (gogoproto.nullable left at its default). */
  pointer: boolean;
}

const SCALARS: Readonly<Record<number, string>> = { 1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 8: 'bool', 9: 'string', 12: 'bytes', 13: 'uint32' };

/** Every k8s.io message in the binary, by fully qualified name. */
export function readUpstreamMessages(binaryPath: string): Map<string, UpstreamField[]> {
  const binary = readFileSync(binaryPath);
  const gzipHeader = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]); // deflate, no flags, no mtime
  const messages = new Map<string, UpstreamField[]>();
  for (let at = binary.indexOf(gzipHeader); at !== -1; at = binary.indexOf(gzipHeader, at + 1)) {
    let data: Buffer;
    try {
      data = inflateRawSync(binary.subarray(at + 10, at + 10 + 1_000_000), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      continue; // not a gzip stream after all
    }
    if (data[0] !== 0x0a || !data.subarray(2, 2 + data[1]!).toString('latin1').startsWith('k8s.io/')) continue;
    const file = fromBinary(FileDescriptorProtoSchema, data, { readUnknownFields: true });
    for (const message of file.messageType) messages.set(`${file.package}.${message.name}`, fieldsOf(message));
  }
  return messages;
}

function fieldsOf(message: DescriptorProto): UpstreamField[] {
  const entries = new Map(message.nestedType.filter((n) => n.options?.mapEntry).map((n) => [n.name, n]));
  return message.field.map((field) => {
    const entry = field.type === 11 ? entries.get(field.typeName.split('.').pop()!) : undefined;
    const valueField = entry ? entry.field[1]! : field;
    const type = valueField.type === 11 ? valueField.typeName.replace(/^\./, '') : SCALARS[valueField.type] ?? `type ${valueField.type}`;
    return {
      number: field.number,
      name: field.name,
      repeated: field.label === 3 && !entry,
      type,
      map: entry !== undefined,
      pointer: !(field.options?.$unknown ?? []).some((option) => option.no === GOGO_NULLABLE),
    };
  });
}
