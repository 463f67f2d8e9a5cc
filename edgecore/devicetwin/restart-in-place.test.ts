/**
 * The module run again in the same process (what the runtime does after a crash): it keeps knowing that the cloud is
 * connected (edgehub announces only changes), and picks up its devices from the store.
 */
import { join } from 'node:path';
import { jsonContent, newMessage, type Message } from '../../pkg/message';
import { ModuleError, type ModuleContext } from '../../pkg/modules';
import { createDeviceTwin } from './index';
import { edgeConfig, eventually, NODE, RecordingDmi, silentLog, startTwinEdge, tempDir } from './testing/edge';
import { thermometer, thermometerModel } from './testing/objects';

/** A context fed by hand: `inbox` is what the module receives; sends to edgehub are kept; no metamanager. */
function handContext(inbox: Message[], hub: Message[]): { ctx: ModuleContext; stop: () => void } {
  const controller = new AbortController();
  const ctx: ModuleContext = {
    name: 'devicetwin',
    signal: controller.signal,
    log: silentLog,
    receive: () => ({
      async *[Symbol.asyncIterator]() {
        while (!controller.signal.aborted) {
          const next = inbox.shift();
          if (next) yield next;
          else await new Promise((resolve) => setTimeout(resolve, 2));
        }
      },
    }),
    send: async (destination, message) => {
      if (destination === 'edgehub') hub.push(message);
    },
    sendToGroup: async () => {},
    sendSync: async (destination) => {
      throw new ModuleError('UNKNOWN_MODULE', `no module ${destination}`);
    },
    respond: () => {},
  };
  return { ctx, stop: () => controller.abort() };
}

describe('devicetwin run again in place', () => {
  it('remembers that the cloud is connected', async () => {
    const dir = tempDir();
    const file = join(dir.dir, 'edgecore.db');
    try {
      // A device in the store, put there by a normal run.
      const edge = await startTwinEdge({ dataSource: file, dmiDir: dir.dir });
      await edge.cloud('insert', thermometerModel());
      await edge.cloud('insert', thermometer());
      await edge.stop();

      const module = createDeviceTwin({ config: edgeConfig(file, dir.dir), nodeName: NODE, log: silentLog, dmi: (side) => new RecordingDmi(side) });
      const inbox: Message[] = [];
      const hub: Message[] = [];
      const first = handContext(inbox, hub);
      const run1 = module.run(first.ctx);
      try {
        inbox.push(newMessage({ source: 'edgehub', group: 'twin', operation: 'connect', resource: 'node/connection', ...jsonContent('cloud_connected') }));
        await eventually(() => inbox.length === 0);
      } finally {
        first.stop();
        await run1;
      }
      const second = handContext(inbox, hub);
      const run2 = module.run(second.ctx);
      try {
        inbox.push(
          newMessage({
            source: 'eventbus',
            group: 'twin',
            operation: 'message',
            resource: '$hw/events/device/default/thermo-1/twin/update',
            content: Buffer.from(JSON.stringify({ twin: { temperature: { actual: { value: '22' } } } })),
          }),
        );
        await eventually(() => hub.length === 1);
        expect(hub[0]!.route?.resource).toBe('device/default/thermo-1/twin/edge_updated');
      } finally {
        second.stop();
        await run2;
      }
    } finally {
      dir.cleanup();
    }
  });
});
