/** Test wiring: edgecontroller in a module runtime, beside a stand-in cloudhub that keeps what is sent to the edges. */
import type { Logger } from 'pino';
import type { Message } from '../../pkg/message';
import { ModuleRuntime } from '../../pkg/modules';
import { createEdgeController, type EdgeControllerOptions } from './index';

export function startWithStandInHub(options: EdgeControllerOptions, log: Logger): { runtime: ModuleRuntime; received: Message[] } {
  const received: Message[] = [];
  const runtime = new ModuleRuntime({ log });
  runtime.register({
    name: 'cloudhub',
    group: 'cloudhub',
    async run(ctx) {
      for await (const message of ctx.receive()) received.push(message);
    },
  });
  runtime.register(createEdgeController(options));
  runtime.start();
  return { runtime, received };
}
