/** CriClient failures name the endpoint and the fix; the real-runtime path is covered by edged/pods tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { cgroupDriverOfConfig } from './client';
import { CriClient, CriError, normalizeEndpoint } from './index';

test('an unreachable runtime gives UNAVAILABLE with the endpoint and the config key to fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ke-cri-'));
  const endpoint = `unix://${dir}/absent.sock`;
  const cri = new CriClient({ endpoint, callTimeoutMs: 3000 });
  try {
    const err = await cri.version().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    expect((err as CriError).code).toBe(status.UNAVAILABLE);
    expect((err as CriError).message).toContain(`cannot reach the container runtime at ${endpoint}`);
    expect((err as CriError).message).toContain(`modules.edged.containerRuntimeEndpoint = ${endpoint}`);
  } finally {
    cri.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a plain socket path becomes a unix:// endpoint', () => {
  expect(normalizeEndpoint('/run/containerd/containerd.sock')).toBe('unix:///run/containerd/containerd.sock');
  expect(normalizeEndpoint('unix:///x.sock')).toBe('unix:///x.sock');
});

test("containerd 1.6's cgroup driver is read from the CRI config of a verbose Status", () => {
  const config = (options: object | undefined, defaultRuntimeName = 'runc'): string =>
    JSON.stringify({ containerd: { defaultRuntimeName, runtimes: { runc: options === undefined ? {} : { options } } } });
  expect(cgroupDriverOfConfig(config({ SystemdCgroup: true }))).toBe('systemd');
  expect(cgroupDriverOfConfig(config({ SystemdCgroup: false }))).toBe('cgroupfs');
  expect(cgroupDriverOfConfig(config(undefined))).toBe('cgroupfs');
  expect(cgroupDriverOfConfig(config({ SystemdCgroup: true }, 'kata'))).toBeUndefined();
  expect(cgroupDriverOfConfig('not json')).toBeUndefined();
  expect(cgroupDriverOfConfig(undefined)).toBeUndefined();
});
