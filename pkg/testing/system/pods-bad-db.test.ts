/**
 * A corrupted database file at start, with edged enabled: edgecore must stop at once with an error naming the file
 * and what to do, and must not touch the runtime's pods (nothing is started, nothing is removed).
 */
import { writeFile } from 'node:fs/promises';
import { SystemTest } from './harness';
import { listContainers } from './pods';

jest.setTimeout(120_000);

let sys: SystemTest;

beforeAll(async () => {
  sys = await SystemTest.create('pods-bad-db');
});

afterAll(async () => {
  await sys?.dispose();
});

test('a corrupted edgecore.db stops edgecore with an error naming the file', async () => {
  const containerd = await sys.startContainerd();
  const cloud = await sys.startCloudcore({ name: 'cloud' });
  const edge = await sys.startEdgecore({
    name: 'edge-bad-db',
    node: 'edge-bad-db',
    cloud,
    auditStore: false,
    waitForStart: false,
    edged: { containerRuntimeEndpoint: containerd.endpoint },
    beforeStart: async (files) => writeFile(files.db, Buffer.alloc(64 * 1024, 'not a database, just garbage. ')),
  });
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([edge.process.exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 60_000)))]);
  clearTimeout(timer);
  expect(exit).not.toBe('timeout');
  expect(exit).toMatchObject({ code: expect.any(Number) });
  expect((exit as { code: number }).code).not.toBe(0);
  const output = [...edge.process.lines.map((line) => JSON.stringify(line)), ...edge.process.other].join('\n');
  expect(output).toContain(edge.files.db);
  expect(output).toMatch(/not a readable SQLite database/);
  expect(await listContainers(containerd.endpoint)).toEqual([]);
});
