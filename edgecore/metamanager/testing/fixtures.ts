/** Test helpers: temp database files, Kubernetes-like objects, cloud messages, and stand-ins for edgehub and edged. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import { jsonContent, newMessage, type Message, type OperationName } from '../../../pkg/message';
import type { ModuleContext, Module } from '../../../pkg/modules';
import { parseObjectResource } from '../resource';
import { parseResourceVersion } from '../resource-version';
import type { Change } from '../store';

export const silentLog = pino({ level: 'silent' });

/** A fresh temp folder; `cleanup` removes it. */
export function tempDir(prefix = 'metamanager-test-'): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let count = 0;
  return {
    dir,
    file: (name = `edgecore-${++count}.db`) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A ConfigMap-shaped object at `resourceVersion`. */
export function configMap(namespace: string, name: string, resourceVersion: string, data: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion }, data };
}

/** A store change for `<ns>/<type>/<name>` at `rv`. */
export function change(kind: Change['kind'], resource: string, rv: string, object?: object): Change {
  const parsed = parseObjectResource(resource);
  const json = object === undefined ? (kind === 'delete' ? '' : JSON.stringify({ metadata: { name: parsed.name, resourceVersion: rv } })) : JSON.stringify(object);
  return { kind, resource: parsed, resourceVersion: parseResourceVersion(rv, 'rv'), json };
}

/** A message as edgehub delivers a cloud push: route group resource, header.resourceVersion set. */
export function cloudMessage(operation: OperationName, resource: string, object: unknown, resourceVersion: string): Message {
  return newMessage({
    source: 'edgehub',
    group: 'resource',
    operation,
    resource,
    resourceVersion,
    ...(object === undefined ? {} : jsonContent(object)),
  });
}

/** A query as edged sends it. */
export function queryMessage(operation: OperationName, resource: string): Message {
  return newMessage({ source: 'edged', group: 'meta', operation, resource });
}

export function connectMessage(state: 'cloud_connected' | 'cloud_disconnected'): Message {
  return newMessage({ source: 'edgehub', group: 'meta', operation: 'connect', resource: 'node/connection', ...jsonContent(state) });
}

/** Collects every message until stopped: edged's stand-in. */
export function collector(name: string, group: string, into: Message[]): Module {
  return {
    name,
    group,
    async run(ctx) {
      for await (const message of ctx.receive()) into.push(message);
    },
  };
}

/** edgehub's stand-in: hands each forwarded query to `answer`, which may respond through ctx, or not at all. */
export function fakeEdgeHub(received: Message[], answer: (ctx: ModuleContext, query: Message) => void): Module {
  return {
    name: 'edgehub',
    group: 'hub',
    async run(ctx) {
      for await (const message of ctx.receive()) {
        received.push(message);
        answer(ctx, message);
      }
    },
  };
}

/** A second, independent connection to a database file (as another process would read it). */
export function secondConnection(file: string): Knex {
  return knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
