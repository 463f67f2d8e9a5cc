/** Reading the edge's reports: the resource forms, the content encodings KubeEdge's edge uses, and the twin rules. */
import { jsonContent, newMessage, type Message } from '../../pkg/message';
import { parseReportResource, readReport } from './upstream-content';

const message = (content: Buffer, contentType: string): Message =>
  newMessage({ source: 'edgehub', group: 'twin', operation: 'update', resource: 'x', content, contentType });

test('resources name the device and the kind of report', () => {
  expect(parseReportResource('device/default/t1/twin/edge_updated')).toEqual({ type: 'twin', namespace: 'default', name: 't1' });
  expect(parseReportResource('device/ns/t1/state/update')).toEqual({ type: 'state', namespace: 'ns', name: 't1' });
  for (const bad of ['device/default/twin/edge_updated', 'device//t1/state/update', 'membership/detail', 'default/device/t1', 'device/a/b/twin/edge_updated/x']) {
    expect(() => parseReportResource(bad)).toThrow(/devicecontroller takes device\/<namespace>\/<name>\/twin\/edge_updated/);
  }
});

test('JSON as jsonContent, as bare bytes, or as a JSON string (payload wrapped by KubeEdge edge) all read the same', () => {
  const update = { event_id: 'e', timestamp: 1, twin: { temperature: { actual: { value: '24', metadata: { timestamp: 5 } }, expected: { value: '30' } } } };
  const expected = {
    twins: new Map([['temperature', { kind: 'set', reset: false, reported: { value: '24', metadata: { timestamp: '5' } }, observedDesired: { value: '30' } }]]),
  };
  const asJson = jsonContent(update);
  expect(readReport('twin', message(asJson.content, asJson.contentType))).toEqual(expected);
  expect(readReport('twin', message(Buffer.from(JSON.stringify(update)), ''))).toEqual(expected);
  const wrapped = jsonContent(JSON.stringify(update));
  expect(readReport('twin', message(wrapped.content, wrapped.contentType))).toEqual(expected);
  expect(() => readReport('twin', message(Buffer.from('x'), 'application/octet-stream'))).toThrow(/content: not JSON .*send the report as JSON/);
});

test('twin rules: null or "deleted" removes, null values change nothing, only strings are values', () => {
  const read = (twin: unknown) => readReport('twin', message(jsonContent({ twin }).content, 'application/json')).twins;
  expect([...read({ a: null, b: { metadata: { type: 'deleted' } }, c: { actual: { value: null } } })]).toEqual([
    ['a', { kind: 'delete' }],
    ['b', { kind: 'delete' }],
    ['c', { kind: 'set', reset: false }],
  ]);
  expect(() => read({ a: 'x' })).toThrow(/twin\.a: a JSON string; send an object with actual and\/or expected/);
  expect(() => read({ a: { expected: 5 } })).toThrow(/twin\.a\.expected: a JSON number/);
  expect(() => read({ a: { actual: { value: true } } })).toThrow(/twin\.a\.actual\.value: a JSON boolean; twin values are strings, send "true"/);
  expect(() => read({ ['x'.repeat(129)]: {} })).toThrow(/not a valid twin name/);
});

test('state reports carry the state and, when known, the last online time', () => {
  const read = (content: unknown) => readReport('state', message(jsonContent(content).content, 'application/json'));
  expect(read({ device: { name: 't1', state: 'online', lastOnlineTime: '2024-05-01T10:00:00Z' } })).toEqual({ twins: new Map(), state: 'online', lastOnlineTime: '2024-05-01T10:00:00Z' });
  expect(read({ device: { state: 'offline', lastOnlineTime: '' } })).toEqual({ twins: new Map(), state: 'offline' });
  expect(() => read({ state: 'online' })).toThrow(/device: missing; send \{"device": \{"state": "online"/);
  expect(() => read({ device: { state: 'online', lastOnlineTime: 5 } })).toThrow(/device\.lastOnlineTime: a JSON number/);
});
