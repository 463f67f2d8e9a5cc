/** The small parts alone: topic rules, options, throttled warnings. */
import { topicFilterProblem, topicMatches, topicNameProblem, compileEventBusOptions, EventBusError } from '.';
import { captureLog, eventBusConfig } from './testing/edge';
import { ThrottledWarnings } from './warnings';

describe('topic rules', () => {
  it.each([
    ['$hw/events/upload/#', '$hw/events/upload/a/b', true],
    ['$hw/events/upload/#', '$hw/events/upload', true],
    ['$hw/events/device/+/+/twin/+', '$hw/events/device/ns/d/twin/update', true],
    ['$hw/events/device/+/+/twin/+', '$hw/events/device/ns/d/twin/update/result', false],
    ['$hw/events/device/+/+/state/update', '$hw/events/device/d/state/update', false],
    ['+/user/#', 'app/user/x', true],
    ['+/user/#', '$SYS/user/x', false],
    ['#', '$hw/x', false],
    ['a/+', 'a/', true],
    ['a/b', 'a/b/c', false],
    ['SYS/dis/upload_records', 'SYS/dis/upload_records', true],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('accepts good names and filters', () => {
    expect(topicNameProblem('a/b/c')).toBeUndefined();
    expect(topicNameProblem('/leading/and/trailing/')).toBeUndefined();
    expect(topicFilterProblem('+/user/#')).toBeUndefined();
    expect(topicFilterProblem('#')).toBeUndefined();
    expect(topicFilterProblem('a/+/+')).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(topicNameProblem(undefined)).toContain('the topic is missing');
    expect(topicNameProblem(42)).toContain('the topic is a number');
    expect(topicNameProblem('bad\uD800surrogate')).toContain('not valid UTF-8');
    expect(topicNameProblem('é'.repeat(32_768))).toContain("65536 bytes, over MQTT's limit of 65535");
    expect(topicFilterProblem('#/a')).toContain("'#' must be a whole level and the last one");
  });
});

describe('eventbus options', () => {
  const base = { nodeName: 'n1', dataSource: '/var/lib/kubeedge/edgecore.db' };

  it('compiles the defaults: internal broker on 127.0.0.1:1884, KubeEdge client ids with the node name, 1 MiB payloads', () => {
    const options = compileEventBusOptions({ ...base, config: eventBusConfig() });
    expect(options).toMatchObject({
      mode: 'internal',
      internal: { host: '127.0.0.1', port: 1884, url: 'tcp://127.0.0.1:1884' },
      external: undefined,
      qos: 0,
      retain: false,
      sessionQueueSize: 100,
      subClientId: 'hub-client-sub-n1',
      pubClientId: 'hub-client-pub-n1',
      maxPayloadBytes: 1024 * 1024,
    });
    expect(compileEventBusOptions({ ...base, config: eventBusConfig({ mqttMode: 'external' }) })).toMatchObject({
      internal: undefined,
      external: 'tcp://127.0.0.1:1883',
    });
    expect(compileEventBusOptions({ ...base, config: eventBusConfig({ mqttMode: 'both', mqttServerInternal: 'mqtt://[::1]:1999' }) }).internal).toEqual({
      host: '::1',
      port: 1999,
      url: 'tcp://[::1]:1999',
    });
  });

  it.each([
    [{ mqttServerInternal: 'ws://127.0.0.1:1884' }, 'modules.eventBus.mqttServerInternal: is "ws://127.0.0.1:1884": the built-in broker serves plain MQTT over TCP only'],
    [{ mqttServerInternal: 'tcp://127.0.0.1' }, 'with no port; write host and port, such as tcp://127.0.0.1:1884'],
    [{ mqttServerInternal: 'not a url' }, 'is "not a url", not a URL'],
    [{ mqttQOS: 3 as never }, 'modules.eventBus.mqttQOS: is 3; write 0, 1 or 2'],
    [{ mqttMode: 'sometimes' as never }, 'modules.eventBus.mqttMode: is "sometimes"; write internal, both or external'],
    [{ mqttSessionQueueSize: 0 }, 'modules.eventBus.mqttSessionQueueSize: is 0'],
  ])('refuses %j', (config, text) => {
    expect(() => compileEventBusOptions({ ...base, config: eventBusConfig(config) })).toThrow(text);
  });

  it('refuses bad factory options naming them', () => {
    const error = (() => {
      try {
        compileEventBusOptions({ ...base, nodeName: '', config: eventBusConfig() });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EventBusError);
    expect((error as EventBusError).code).toBe('INVALID_OPTIONS');
    expect(() => compileEventBusOptions({ ...base, dataSource: 'relative.db', config: eventBusConfig() })).toThrow('database.dataSource');
    expect(() => compileEventBusOptions({ ...base, config: eventBusConfig(), tuning: { maxPayloadBytes: 0 } })).toThrow('tuning.maxPayloadBytes: is 0');
    expect(() => compileEventBusOptions({ ...base, config: eventBusConfig(), tuning: { maxPendingPublishes: 70_000 } })).toThrow(
      'tuning.maxPendingPublishes',
    );
  });
});

describe('throttled warnings', () => {
  it('logs the first at once, then one per interval with the number left out', () => {
    const logs = captureLog();
    let now = 0;
    const warnings = new ThrottledWarnings(logs.log, 1000, () => now);
    warnings.warn('a', {}, 'first');
    now = 10;
    warnings.warn('a', {}, 'second');
    warnings.warn('b', {}, 'other kind');
    now = 1500;
    warnings.warn('a', {}, 'third');
    expect(logs.lines.map((line) => [line.msg, line.similarSinceLastWarning])).toEqual([
      ['first', undefined],
      ['other kind', undefined],
      ['third', 1],
    ]);
  });
});
