import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { decodeAnyMap, decodeAnyValue, encodeAnyMap, encodeAnyValue } from './any-values';

describe('DMI configData values', () => {
  it('wraps each JSON type the way KubeEdge does and reads it back', () => {
    const data = { slaveID: 1, offset: 40001, big: 2 ** 40, scale: 0.5, register: 'HoldingRegister', swap: true };
    const encoded = encodeAnyMap(data);
    expect(encoded.slaveID!.typeUrl).toBe('type.googleapis.com/google.protobuf.Int32Value');
    expect(encoded.big!.typeUrl).toBe('type.googleapis.com/google.protobuf.Int64Value');
    expect(encoded.scale!.typeUrl).toBe('type.googleapis.com/google.protobuf.FloatValue');
    expect(encoded.register!.typeUrl).toBe('type.googleapis.com/google.protobuf.StringValue');
    expect(encoded.swap!.typeUrl).toBe('type.googleapis.com/google.protobuf.BoolValue');
    expect(decodeAnyMap(encoded)).toEqual(data);
  });

  it('reads the exact bytes of a wrapper, and a default (empty) one as its zero value', () => {
    // Int32Value{value: 3}: field 1, varint.
    expect(decodeAnyValue({ typeUrl: 'type.googleapis.com/google.protobuf.Int32Value', value: Buffer.of(8, 3) })).toBe(3);
    expect(decodeAnyValue({ typeUrl: 'type.googleapis.com/google.protobuf.BoolValue', value: Buffer.alloc(0) })).toBe(false);
    const double = new BinaryWriter().uint32(9).double(0.1).finish();
    expect(decodeAnyValue({ typeUrl: 'type.googleapis.com/google.protobuf.DoubleValue', value: Buffer.from(double) })).toBe(0.1);
  });

  it('carries nested objects as JSON text, and refuses an Any that is not a wrapper, naming its type', () => {
    expect(decodeAnyValue(encodeAnyValue({ a: [1] }))).toBe('{"a":[1]}');
    expect(() => decodeAnyValue({ typeUrl: 'type.googleapis.com/foo.Bar', value: Buffer.of(8, 1) })).toThrow(/foo\.Bar is not a protobuf wrapper/);
  });
});
