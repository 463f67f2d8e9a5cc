/**
 * The one place that loads aedes (the built-in MQTT broker). aedes ships ESM only and this project compiles to
 * CommonJS with module "node16", under which TypeScript refuses a static import of an ES module (TS1479) although
 * Node 20.19+ can `require()` it. So: types through a type-only import marked resolution-mode "import", the value
 * through require(), as pkg/kube/client-node.ts does for @kubernetes/client-node.
 *
 * Also the in-memory persistence aedes uses by default (aedes-persistence), which bounded-persistence.ts extends. It is
 * aedes' own dependency, not ours: it is resolved from aedes' folder so that we extend the version aedes runs with.
 */
import { createRequire } from 'node:module';
import type * as AedesModule from 'aedes' with { 'resolution-mode': 'import' };

/** Loaded on first use only: external mode never pays for the broker's code. */
let aedes: typeof AedesModule | undefined;

export function loadAedes(): typeof AedesModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (aedes ??= require('aedes') as typeof AedesModule);
}

export type Aedes = AedesModule.Aedes;
export type AedesClient = AedesModule.Client;
export type AedesOptions = AedesModule.AedesOptions;
export type AedesPublishPacket = AedesModule.AedesPublishPacket;
export type PublishPacket = AedesModule.PublishPacket;

/** The parts of aedes-persistence's in-memory store that bounded-persistence.ts overrides or reads. */
export interface MemoryPersistence {
  /** Set by setup(): the broker the store serves. */
  readonly broker: { readonly clients: Record<string, { readonly connected: boolean } | undefined> } | undefined;
  setup(broker: unknown): Promise<void>;
  outgoingEnqueue(sub: { clientId: string }, packet: unknown): Promise<void>;
  outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: unknown): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<unknown>;
}

export type MemoryPersistenceClass = new (options?: object) => MemoryPersistence;

let memoryPersistence: MemoryPersistenceClass | undefined;

export function loadMemoryPersistence(): MemoryPersistenceClass {
  // aedes' package.json exports only ".", so resolve through its folder with a require made there.
  return (memoryPersistence ??= createRequire(require.resolve('aedes'))('aedes-persistence/asyncPersistence.js') as MemoryPersistenceClass);
}
