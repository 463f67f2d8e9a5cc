/**
 * Builds request bodies the way client-go does: the magic `k8s\0`, then a runtime.Unknown whose typeMeta names the
 * kind and whose raw is the object's protobuf encoding. Test aid only.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { Unknown } from '../../../../gen/k8s/io/apimachinery/pkg/runtime/runtime';

export const MAGIC = Buffer.from('k8s\0', 'latin1');

export function protobufBody(apiVersion: string, kind: string, raw: Uint8Array, envelope: Partial<Unknown> = {}): Buffer {
  const unknown = Unknown.encode({ typeMeta: { apiVersion, kind }, raw: Buffer.from(raw), ...envelope }).finish();
  return Buffer.concat([MAGIC, unknown]);
}

/**
 * Hand-written protobuf, for what ts-proto's encoders cannot express: they leave out zero-valued proto2 fields, while
 * Go writes every non-pointer scalar and every pointer that is set, zero or not.
 */
export class Wire {
  private readonly writer = new BinaryWriter();

  string(field: number, value: string): this {
    this.writer.tag(field, WireType.LengthDelimited).string(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.writer.tag(field, WireType.LengthDelimited).bytes(value);
    return this;
  }

  message(field: number, build: (wire: Wire) => Wire): this {
    return this.bytes(field, build(new Wire()).finish());
  }

  varint(field: number, value: number | bigint): this {
    this.writer.tag(field, WireType.Varint).int64(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    this.writer.tag(field, WireType.Varint).bool(value);
    return this;
  }

  /** A map<string, string> entry. */
  entry(field: number, key: string, value: string): this {
    return this.message(field, (e) => e.string(1, key).string(2, value));
  }

  finish(): Uint8Array {
    return this.writer.finish();
  }
}
