import { Operation } from '../../gen/kubeedge/message/v1/message';
import { EnvelopeError } from './errors';
import { OPERATION_NAMES, isKnownOperation, operationName, parseOperation } from './operation';

const enumValues = Object.values(Operation).filter((v): v is Operation => typeof v === 'number');
const known = enumValues.filter((op) => op !== Operation.OPERATION_UNSPECIFIED && op !== Operation.UNRECOGNIZED);

describe('operation names', () => {
  it('maps every operation to a name and back', () => {
    for (const op of known) expect(parseOperation(operationName(op))).toBe(op);
    expect(new Set(OPERATION_NAMES).size).toBe(known.length);
  });

  it("uses KubeEdge's spellings, including the irregular ones", () => {
    expect(operationName(Operation.OPERATION_INSERT)).toBe('insert');
    expect(operationName(Operation.OPERATION_UNHOLD_UPGRADE)).toBe('unhold-upgrade');
    expect(operationName(Operation.OPERATION_GET_RESULT)).toBe('get_result');
    expect(parseOperation('keepalive')).toBe(Operation.OPERATION_KEEPALIVE);
    expect(parseOperation('disconnected')).toBe(Operation.OPERATION_DISCONNECTED);
  });

  it('names the bad value and the valid ones when parsing fails', () => {
    for (const bad of ['Insert', 'unhold_upgrade', '', 'OPERATION_INSERT']) {
      expect(() => parseOperation(bad)).toThrow(EnvelopeError);
      expect(() => parseOperation(bad)).toThrow(`operation ${JSON.stringify(bad)} is not a KubeEdge operation`);
    }
    expect(() => parseOperation('nope')).toThrow(/use one of: insert, update, /);
  });

  it('has no name for UNSPECIFIED, UNRECOGNIZED or numbers from a newer peer', () => {
    for (const op of [Operation.OPERATION_UNSPECIFIED, Operation.UNRECOGNIZED, 999 as Operation]) {
      expect(isKnownOperation(op)).toBe(false);
      expect(() => operationName(op)).toThrow(/has no KubeEdge name/);
    }
    expect(isKnownOperation(Operation.OPERATION_DELETE)).toBe(true);
  });
});
