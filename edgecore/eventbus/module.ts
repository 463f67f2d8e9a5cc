/**
 * One run of the eventbus module: open sub_topics, bring up the brokers of the mode, serve the inbox until the module
 * is stopped, then take everything down in reverse. A crash (the runtime restarts the module) rebuilds it all.
 *
 * Modes (KubeEdge's mqttMode): internal runs the built-in broker; external connects to mqttServerExternal; both does
 * both, as KubeEdge does: messages are taken from either broker, publishes go to both, subscriptions apply to both.
 */
import type { Logger } from '../../pkg/log';
import type { ModuleContext } from '../../pkg/modules';
import { Dispatcher } from './dispatch';
import { ExternalBroker } from './external-broker';
import { InternalBroker } from './internal-broker';
import type { BrokerLink } from './link';
import type { EventBusMetrics } from './metrics';
import type { CompiledEventBusOptions } from './options';
import { Requests } from './requests';
import { openSubTopicStore } from './sub-topics';
import { Subscriptions } from './subscriptions';
import { ThrottledWarnings } from './warnings';

export interface EventBusRunDeps {
  options: CompiledEventBusOptions;
  ctx: ModuleContext;
  log: Logger;
  metrics: EventBusMetrics;
  /** Told the internal broker's URL once it listens (undefined again once it stopped). */
  onListening(url: string | undefined): void;
}

export async function runEventBus(deps: EventBusRunDeps): Promise<void> {
  const { options, ctx, log, metrics } = deps;
  const store = await openSubTopicStore(options.dataSource);
  const links: BrokerLink[] = [];
  let internalUrl: string | undefined;
  try {
    const subscriptions = new Subscriptions(await store.list());
    metrics.observeSubscriptions(() => subscriptions.size);
    metrics.observePending(() => Object.fromEntries(links.map((link) => [link.name, link.pending])));
    const warnings = new ThrottledWarnings(log, options.warningIntervalMs);
    const dispatcher = new Dispatcher({ send: ctx.send, maxPayloadBytes: options.maxPayloadBytes, metrics, warnings, log });
    const deliver = dispatcher.deliver.bind(dispatcher);

    if (options.internal) {
      const internal = await InternalBroker.start({
        host: options.internal.host,
        port: options.internal.port,
        qos: options.qos,
        retain: options.retain,
        sessionQueueSize: options.sessionQueueSize,
        maxPendingPublishes: options.maxPendingPublishes,
        maxPendingBytes: options.maxPendingBytes,
        subscriptions,
        deliver,
        metrics,
        log,
      });
      links.push(internal);
      internalUrl = internal.url;
      deps.onListening(internal.url);
    }
    if (options.external) {
      const external = new ExternalBroker({ options, subscriptions, deliver, metrics, log });
      links.push(external);
      external.start();
    }
    log.info(
      { mode: options.mode, topics: subscriptions.all(), internal: internalUrl, external: options.external },
      'eventbus started',
    );

    const requests = new Requests({
      nodeName: options.nodeName,
      maxPayloadBytes: options.maxPayloadBytes,
      links,
      subscriptions,
      store,
      respond: ctx.respond,
      metrics,
      warnings,
      log,
    });
    for await (const message of ctx.receive()) await requests.handle(message);
  } finally {
    deps.onListening(undefined);
    for (const link of links.reverse()) {
      await link.close().catch((error: unknown) => log.warn({ err: error, broker: link.name }, 'closing an MQTT broker link failed'));
    }
    await store.close().catch(() => undefined);
  }
}
