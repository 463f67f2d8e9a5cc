/**
 * Bad input from apps, mappers and neighbours: each gets KubeEdge's result code on its result topic with a reason that
 * names the field, nothing of a refused update is applied, nothing crashes, and other devices carry on.
 */
import { join } from 'node:path';
import { newMessage, Operation, readErrorContent } from '../../pkg/message';
import { settle, startTwinEdge, T0, tempDir, type TwinEdge } from './testing/edge';
import { thermometer, thermometerModel } from './testing/objects';

const DEV = '$hw/events/device/default/thermo-1';
const CHARS = 'use 1 to 128 of the characters a-z A-Z 0-9 - _ . , : / @ #';
const VALUE_CHARS = 'use 1 to 512 of the characters a-z A-Z 0-9 - _ . , : / @ #';

describe('devicetwin bad input', () => {
  let dir: ReturnType<typeof tempDir>;
  let edge: TwinEdge;

  beforeEach(async () => {
    dir = tempDir();
    edge = await startTwinEdge({ dataSource: join(dir.dir, 'edgecore.db'), dmiDir: dir.dir });
    await edge.cloud('insert', thermometerModel());
    await edge.cloud('insert', thermometer());
    await edge.cloud('insert', thermometer({ name: 'thermo-2' }));
  });

  afterEach(async () => {
    await edge.stop();
    dir.cleanup();
  });

  /** Publishes on twin/update and returns the result. */
  async function update(payload: unknown, topic = `${DEV}/twin/update`): Promise<unknown> {
    const seen = edge.published(`${topic}/result`).length;
    await edge.mqtt(topic, payload);
    return edge.nextPublish(`${topic}/result`, seen);
  }

  const refused = (code: number, reason: string | ReturnType<typeof expect.stringMatching>, eventId = '') => ({
    event_id: eventId,
    timestamp: T0,
    code,
    reason,
  });

  it('refuses payloads that are not a JSON object, or too large', async () => {
    expect(await update('{"twin": {')).toEqual(
      refused(400, expect.stringMatching(/^payload: is not valid JSON \(.+\); publish a JSON object such as \{"event_id"/)),
    );
    expect(await update('[1,2]')).toEqual(
      refused(400, expect.stringMatching(/^payload: is a JSON array, not an object; publish a JSON object such as /)),
    );
    const big = JSON.stringify({ event_id: 'big', twin: { temperature: { actual: { value: '1' } } }, pad: 'x'.repeat(300_000) });
    expect(await update(big)).toEqual(
      refused(400, `payload: is ${Buffer.byteLength(big)} bytes, over devicetwin's limit of 262144; send fewer twins per message`),
    );
  });

  it('refuses updates without twins, with bad names, values, types or shapes, naming the field', async () => {
    expect(await update({ event_id: 'e1' })).toEqual(
      refused(400, 'twin: is missing; a twin update carries the twins to change, such as {"event_id":"","timestamp":0,"twin":{"temperature":{"actual":{"value":"24"}}}}', 'e1'),
    );
    expect(await update({ event_id: 'e2', twin: { 'bad name!': { actual: { value: '1' } } } })).toEqual(
      refused(400, `twin["bad name!"]: is not a twin name: ${CHARS}`, 'e2'),
    );
    expect(await update({ event_id: 'e3', twin: { temperature: { actual: { value: 'hello world' } } } })).toEqual(
      refused(400, `twin.temperature.actual.value: "hello world" is not a twin value: ${VALUE_CHARS}`, 'e3'),
    );
    expect(await update({ event_id: 'e4', twin: { temperature: { actual: { value: 'abc' } } } })).toEqual(
      refused(400, 'twin.temperature.actual.value: "abc" is not an int (a 64-bit whole number such as 42)', 'e4'),
    );
    expect(await update({ event_id: 'e5', twin: { temperature: { actual: { value: '9223372036854775808' } } } })).toEqual(
      refused(400, 'twin.temperature.actual.value: "9223372036854775808" is not an int (a 64-bit whole number such as 42)', 'e5'),
    );
    expect(await update({ event_id: 'e6', twin: { enabled: { expected: { value: 'yes' } } } })).toEqual(
      refused(400, 'twin.enabled.expected.value: "yes" is not a boolean (true or false)', 'e6'),
    );
    expect(await update({ event_id: 'e7', twin: { temperature: { actual: { value: 24 } } } })).toEqual(
      refused(400, 'twin.temperature.actual.value: is a JSON number; twin values are strings, such as "24"', 'e7'),
    );
    expect(await update({ event_id: 'e8', twin: { mood: { actual: { value: 'ok' }, metadata: { type: 'emotion' } } } })).toEqual(
      refused(400, 'twin.mood.metadata.type: "emotion" is not a twin type; use one of string, int, integer, float, double, boolean, deleted', 'e8'),
    );
    expect(await update({ event_id: 9, twin: {} })).toEqual(refused(400, 'event_id: is a JSON number; it must be a string (or left out)'));
    expect(await update({ event_id: 'e10', twin: { temperature: 'hot' } })).toEqual(
      refused(400, 'twin.temperature: is a JSON string; a twin is an object such as {"actual":{"value":"24"}}, or null to delete it', 'e10'),
    );
    expect(await update({ event_id: 'e11', twin: { temperature: { expected_version: { cloud: -1 } } } })).toEqual(
      refused(400, 'twin.temperature.expected_version: must be {"cloud": <count>, "edge": <count>} with whole numbers of 0 or more', 'e11'),
    );
    expect(await edge.counter('devicetwin_requests_total', { kind: 'twin_update', origin: 'mqtt', result: 'bad_request' })).toBe(11);
  });

  it('applies nothing of an update that has one bad twin', async () => {
    const result = await update({ event_id: 'mix', twin: { temperature: { actual: { value: '21' } }, enabled: { actual: { value: 'maybe' } } } });
    expect(result).toEqual(refused(400, 'twin.enabled.actual.value: "maybe" is not a boolean (true or false)', 'mix'));
    await edge.mqtt(`${DEV}/twin/get`, '');
    const get = (await edge.nextPublish(`${DEV}/twin/get/result`, 0)) as { twin: { temperature: object } };
    expect(get.twin.temperature).not.toHaveProperty('actual');
  });

  it('refuses to delete a spec twin (400) or a twin that does not exist (404)', async () => {
    expect(await update({ event_id: 'd1', twin: { temperature: null } })).toEqual(
      refused(400, "twin.temperature: cannot be deleted: it is one of the Device's spec.properties; remove the property from the Device in the cloud", 'd1'),
    );
    expect(await update({ event_id: 'd2', twin: { humidity: { metadata: { type: 'deleted' } } } })).toEqual(
      refused(404, 'twin.humidity: device default/thermo-1 has no twin humidity to delete', 'd2'),
    );
  });

  it('refuses an update whose version is behind the stored one (409), and takes a current one', async () => {
    await update({ twin: { humidity: { actual: { value: '40' } } } });
    await update({ twin: { humidity: { actual: { value: '41' } } } });
    expect(await update({ event_id: 'v1', twin: { humidity: { actual: { value: '42' }, actual_version: { cloud: 0, edge: 1 } } } })).toEqual(
      refused(
        409,
        'twin.humidity.actual_version: {"cloud":0,"edge":1} is behind the stored {"cloud":0,"edge":2}; the twin changed since you read it: get it again and retry',
        'v1',
      ),
    );
    expect(await update({ event_id: 'v2', twin: { humidity: { actual: { value: '42' }, actual_version: { cloud: 0, edge: 2 } } } })).toEqual({
      event_id: 'v2',
      timestamp: T0,
      twin: { humidity: { actual: { value: '42', metadata: { timestamp: T0 } }, optional: true, metadata: { type: 'string' } } },
    });
    expect(await edge.counter('devicetwin_requests_total', { result: 'conflict' })).toBe(1);
  });

  it('answers 404 for devices it does not have, on each result topic', async () => {
    const ghost = '$hw/events/device/default/ghost';
    const reason = 'device default/ghost: no such device on node edge-1; devices come from the cloud (kubectl get devices -n default)';
    await edge.mqtt(`${ghost}/twin/get`, { event_id: 'g' });
    expect(await edge.nextPublish(`${ghost}/twin/get/result`)).toEqual(refused(404, reason, 'g'));
    await edge.mqtt(`${ghost}/state/update`, { event_id: 's', state: 'online' });
    expect(await edge.nextPublish(`${ghost}/state/update/result`)).toEqual(refused(404, reason, 's'));
    await edge.mqtt(`${ghost}/state/get`, {});
    expect(await edge.nextPublish(`${ghost}/state/get/result`)).toEqual(refused(404, reason));
  });

  it('refuses unknown states from apps', async () => {
    await edge.mqtt(`${DEV}/state/update`, { event_id: 's1', state: 'exploded' });
    expect(await edge.nextPublish(`${DEV}/state/update/result`)).toEqual(
      refused(400, 'state: "exploded" is not a device state; use one of online, offline, ok, unknown, unhealthy', 's1'),
    );
    await edge.mqtt(`${DEV}/state/update`, { event_id: 's2' });
    expect(await edge.nextPublish(`${DEV}/state/update/result`, 1)).toEqual(
      refused(400, 'state: is missing; publish {"event_id":"","timestamp":0,"state":"online"}', 's2'),
    );
  });

  it('keeps serving other devices after a storm of bad input', async () => {
    for (let i = 0; i < 200; i++) await edge.mqtt(`${DEV}/twin/update`, i % 2 ? '{oops' : { twin: { temperature: { actual: { value: 'x y' } } } });
    const other = '$hw/events/device/default/thermo-2/twin/update';
    await edge.mqtt(other, { event_id: 'ok', twin: { temperature: { actual: { value: '19' } } } });
    expect(await edge.nextPublish(`${other}/result`)).toMatchObject({ event_id: 'ok', twin: { temperature: { actual: { value: '19' } } } });
    expect(await edge.counter('devicetwin_requests_total', { kind: 'twin_update', result: 'bad_request' })).toBe(200);
  });

  it('ignores topics it does not serve and notices it cannot read, and refuses operations it does not take', async () => {
    await edge.mqtt(`${DEV}/twin/cloud_updated`, { twin: {} });
    await edge.mqtt('$hw/events/node/edge-1/something', {});
    await edge.runtime.send(
      'devicetwin',
      newMessage({ source: 'metamanager', group: 'resource', operation: 'insert', resource: 'default/device/thermo-9', content: Buffer.from('{not json') }),
    );
    await edge.runtime.send(
      'devicetwin',
      newMessage({ source: 'metamanager', group: 'resource', operation: 'insert', resource: 'default/pod/p', content: Buffer.from('{}') }),
    );
    const answer = await edge.runtime.sendSync('devicetwin', newMessage({ source: 'x', group: 'twin', operation: 'list', resource: 'default/device' }), 2000);
    expect(answer.route?.operation).toBe(Operation.OPERATION_ERROR);
    expect(readErrorContent(answer).message).toBe(
      'route.operation: list is not handled by devicetwin; it takes message (MQTT), insert, update, patch, delete (devices and models) and connect',
    );
    await settle();
    expect(await edge.counter('devicetwin_ignored_total', { reason: 'unknown_topic' })).toBe(2);
    expect(await edge.counter('devicetwin_ignored_total', { reason: 'invalid_notice' })).toBe(2);
    // Still alive and well.
    await edge.mqtt(`${DEV}/twin/get`, { event_id: 'alive' });
    expect(await edge.nextPublish(`${DEV}/twin/get/result`)).toMatchObject({ event_id: 'alive' });
  });
});
