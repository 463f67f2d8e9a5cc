/**
 * EventBus: edgecore's MQTT side, as KubeEdge's. Devices and apps publish on MQTT; eventbus hands twin topics to
 * devicetwin and other subscribed topics to the cloud, and publishes on MQTT for the other modules and the cloud.
 * mqttMode internal (the default here) runs a built-in broker, so nothing else needs installing; external connects to
 * a broker such as mosquitto; both does both. Topics the cloud subscribes are kept in the edge's SQLite file
 * (sub_topics) and survive restarts.
 */
import type { DaemonModule } from '../../pkg/cli';
import { EVENTBUS_GROUP, EVENTBUS_MODULE } from './dispatch';
import { createEventBusMetrics } from './metrics';
import { runEventBus } from './module';
import { compileEventBusOptions, type EventBusOptions } from './options';

export { EVENTBUS_GROUP, EVENTBUS_MODULE } from './dispatch';
export { EventBusError, type EventBusErrorCode } from './errors';
export { compileEventBusOptions } from './options';
export type { CompiledEventBusOptions, EventBusConfig, EventBusOptions, EventBusTuning, MqttMode } from './options';
export { MAX_TOPIC_BYTES, topicFilterProblem, topicMatches, topicNameProblem } from './topic-rules';
export { MIGRATIONS_TABLE as EVENTBUS_MIGRATIONS_TABLE } from './sub-topics';

export interface EventBus extends DaemonModule {
  /** tcp://host:port of the internal broker while it listens (the real port when mqttServerInternal asked for 0). */
  readonly internalBrokerUrl: string | undefined;
}

/** Builds the module; throws EventBusError INVALID_OPTIONS naming the bad field. Nothing is opened until it runs. */
export function createEventBus(options: EventBusOptions): EventBus {
  const compiled = compileEventBusOptions(options);
  // Made once, not per run: a restarted module keeps counting on the same metrics.
  const metrics = createEventBusMetrics(options.registry);
  let internalBrokerUrl: string | undefined;
  return {
    name: EVENTBUS_MODULE,
    group: EVENTBUS_GROUP,
    get internalBrokerUrl() {
      return internalBrokerUrl;
    },
    run(ctx) {
      const log = options.log ? options.log.child({ module: EVENTBUS_MODULE }) : ctx.log;
      return runEventBus({ options: compiled, ctx, log, metrics, onListening: (url) => (internalBrokerUrl = url) });
    },
  };
}
