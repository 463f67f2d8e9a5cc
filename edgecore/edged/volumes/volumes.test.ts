import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, Volume } from '../api';
import { PodConfigError } from '../pod-errors';
import { checkHostPath, createVolumeManager, systemMounter, writeAtomically, type Mounter, type VolumeManager } from '.';
import { MemoryObjects } from './testing';

const log = { debug: () => undefined, warn: () => undefined };
const isRoot = process.getuid?.() === 0;

function pod(volumes: Volume[], extra: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name: 'web', namespace: 'ns1', uid: 'uid-1' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes, ...extra } };
}

let root: string;
let objects: MemoryObjects;
let manager: VolumeManager;
/** Mounts made by the manager, so a failed test still unmounts them. */
let mounter: Mounter;

beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'edged-volumes-'));
  objects = new MemoryObjects();
  mounter = systemMounter;
  manager = createVolumeManager({ rootDirectory: root, objects, log, mounter });
});

afterEach(async () => {
  await manager.cleanup('uid-1');
  for (const point of await systemMounter.mountsUnder(root)) await systemMounter.unmount(point);
  await fs.rm(root, { recursive: true, force: true });
});

async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith('..')) continue;
    const stat = await fs.stat(join(dir, name));
    if (stat.isFile()) out[name] = await fs.readFile(join(dir, name), 'utf8');
  }
  return out;
}

describe('writeAtomically', () => {
  it('lays files out as kubelet does: a version folder, ..data and per-key links', async () => {
    const dir = join(root, 'v');
    expect(await writeAtomically(dir, new Map([['a', { data: Buffer.from('1'), mode: 0o644 }], ['sub/b', { data: Buffer.from('2'), mode: 0o600 }]]))).toBe(true);
    const data = await fs.readlink(join(dir, '..data'));
    expect(data).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.[0-9a-f]+$/);
    expect(await fs.readlink(join(dir, 'a'))).toBe('..data/a');
    expect(await fs.readlink(join(dir, 'sub'))).toBe('..data/sub');
    expect(await fs.readFile(join(dir, 'sub', 'b'), 'utf8')).toBe('2');
    expect((await fs.stat(join(dir, 'sub', 'b'))).mode & 0o777).toBe(0o600);
  });

  it('does nothing when the content is the same, swaps versions and drops stale keys otherwise', async () => {
    const dir = join(root, 'v');
    await writeAtomically(dir, new Map([['a', { data: Buffer.from('1'), mode: 0o644 }], ['old', { data: Buffer.from('x'), mode: 0o644 }]]));
    const first = await fs.readlink(join(dir, '..data'));
    expect(await writeAtomically(dir, new Map([['a', { data: Buffer.from('1'), mode: 0o644 }], ['old', { data: Buffer.from('x'), mode: 0o644 }]]))).toBe(false);
    expect(await fs.readlink(join(dir, '..data'))).toBe(first);

    // A reader holding the old path keeps a consistent view until the swap; after it sees only the new version.
    expect(await writeAtomically(dir, new Map([['a', { data: Buffer.from('2'), mode: 0o644 }]]))).toBe(true);
    const second = await fs.readlink(join(dir, '..data'));
    expect(second).not.toBe(first);
    expect((await fs.readdir(dir)).sort()).toEqual(['..data', second, 'a'].sort());
    expect(await fs.readFile(join(dir, 'a'), 'utf8')).toBe('2');
  });

  it('refuses paths that escape the volume', async () => {
    await expect(writeAtomically(join(root, 'v'), new Map([['../x', { data: Buffer.from(''), mode: 0o644 }]]))).rejects.toThrow("must not contain '..'");
    await expect(writeAtomically(join(root, 'v'), new Map([['/etc/x', { data: Buffer.from(''), mode: 0o644 }]]))).rejects.toThrow('must be relative path');
  });
});

describe('VolumeManager', () => {
  it('writes a configMap volume (all keys, 0644) under kubelet paths and refreshes it atomically', async () => {
    objects.putConfigMap('ns1', 'cfg', { 'app.conf': 'v1', other: 'o' });
    const p = pod([{ name: 'config', configMap: { name: 'cfg' } }]);
    const paths = await manager.prepare(p);
    const dir = paths.get('config') as string;
    expect(dir).toBe(join(root, 'pods', 'uid-1', 'volumes', 'kubernetes.io~configmap', 'config'));
    expect(await readTree(dir)).toEqual({ 'app.conf': 'v1', other: 'o' });
    expect((await fs.stat(join(dir, 'app.conf'))).mode & 0o777).toBe(0o644);

    objects.putConfigMap('ns1', 'cfg', { 'app.conf': 'v2' });
    await manager.refresh(p);
    expect(await readTree(dir)).toEqual({ 'app.conf': 'v2' });
  });

  it('keeps the old content when a refreshed configmap is gone, and reports it', async () => {
    objects.putConfigMap('ns1', 'cfg', { k: 'v' });
    const p = pod([{ name: 'config', configMap: { name: 'cfg' } }]);
    const dir = (await manager.prepare(p)).get('config') as string;
    objects.configMaps.clear();
    await expect(manager.refresh(p)).rejects.toThrow('MountVolume.SetUp failed for volume "config" : configmap "cfg" not found');
    expect(await readTree(dir)).toEqual({ k: 'v' });
  });

  it('honours items, item modes and defaultMode; a missing listed key fails unless optional', async () => {
    objects.putConfigMap('ns1', 'cfg', { a: 'A', b: 'B' });
    const p = pod([{ name: 'config', configMap: { name: 'cfg', defaultMode: 0o400, items: [{ key: 'a', path: 'dir/a.txt' }, { key: 'b', path: 'b', mode: 0o600 }] } }]);
    const dir = (await manager.prepare(p)).get('config') as string;
    expect(await fs.readFile(join(dir, 'dir', 'a.txt'), 'utf8')).toBe('A');
    expect((await fs.stat(join(dir, 'dir', 'a.txt'))).mode & 0o777).toBe(0o400);
    expect((await fs.stat(join(dir, 'b'))).mode & 0o777).toBe(0o600);

    const missing = pod([{ name: 'config', configMap: { name: 'cfg', items: [{ key: 'nope', path: 'x' }] } }]);
    await expect(manager.prepare(missing)).rejects.toThrow('MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: nope');
    const optional = pod([{ name: 'config', configMap: { name: 'cfg', optional: true, items: [{ key: 'nope', path: 'x' }, { key: 'a', path: 'a' }] } }]);
    expect(await readTree((await manager.prepare(optional)).get('config') as string)).toEqual({ a: 'A' });
  });

  it('fails a missing configmap or secret with kubelet words, and leaves optional ones empty', async () => {
    const err = await manager.prepare(pod([{ name: 'config', configMap: { name: 'nope' } }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PodConfigError);
    expect(err).toMatchObject({ reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "config" : configmap "nope" not found' });
    await expect(manager.prepare(pod([{ name: 's', secret: { secretName: 'nope' } }]))).rejects.toThrow('secret "nope" not found');
    const paths = await manager.prepare(pod([{ name: 's', secret: { secretName: 'nope', optional: true } }]));
    expect(await fs.readdir(paths.get('s') as string)).toEqual(expect.arrayContaining(['..data']));
  });

  it('decodes secrets and keeps them on tmpfs', async () => {
    objects.putSecret('ns1', 'creds', { password: 's3cret' });
    const dir = (await manager.prepare(pod([{ name: 's', secret: { secretName: 'creds' } }]))).get('s') as string;
    expect(await readTree(dir)).toEqual({ password: 's3cret' });
    if (isRoot) expect(await systemMounter.mountsUnder(dir)).toEqual([dir]);
  });

  it('writes secrets to disk with a warning when tmpfs cannot be mounted', async () => {
    const warnings: object[] = [];
    const noMount: Mounter = { ...systemMounter, mountTmpfs: async () => Promise.reject(new Error('mount: permission denied')) };
    manager = createVolumeManager({ rootDirectory: root, objects, log: { debug: () => undefined, warn: (f) => void warnings.push(f) }, mounter: noMount });
    objects.putSecret('ns1', 'creds', { password: 'x' });
    const dir = (await manager.prepare(pod([{ name: 's', secret: { secretName: 'creds' } }]))).get('s') as string;
    expect(await readTree(dir)).toEqual({ password: 'x' });
    expect(warnings).toHaveLength(1);
  });

  it('projects configmap, secret, downwardAPI and a service account token into one folder', async () => {
    objects.putConfigMap('ns1', 'kube-root-ca.crt', { 'ca.crt': 'CA' });
    objects.putSecret('ns1', 's', { key: 'K' });
    const p = pod(
      [
        {
          name: 'kube-api-access',
          projected: {
            defaultMode: 0o420,
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
              { secret: { name: 's' } },
            ],
          },
        },
      ],
      { serviceAccountName: 'builder' },
    );
    const dir = (await manager.prepare(p)).get('kube-api-access') as string;
    expect(await readTree(dir)).toEqual({ token: 'token-1-for-builder', 'ca.crt': 'CA', namespace: 'ns1', key: 'K' });
    expect(objects.tokenRequests[0]).toMatchObject({ namespace: 'ns1', serviceAccountName: 'builder', expirationSeconds: 3607, boundPod: { name: 'web', uid: 'uid-1' } });
    // A refresh within the token's lifetime reuses it.
    await manager.refresh(p);
    expect(objects.tokenRequests).toHaveLength(1);
  });

  it('reports a token that cannot be had', async () => {
    objects.tokens = false;
    const p = pod([{ name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }]);
    await expect(manager.prepare(p)).rejects.toThrow('MountVolume.SetUp failed for volume "tok" : failed to fetch token: serviceaccounts "default" not found');
  });

  it('makes emptyDir folders writable by anyone, on tmpfs for medium Memory with the size limit', async () => {
    const paths = await manager.prepare(pod([{ name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]));
    const scratch = paths.get('scratch') as string;
    expect(scratch).toBe(join(root, 'pods', 'uid-1', 'volumes', 'kubernetes.io~empty-dir', 'scratch'));
    expect((await fs.stat(scratch)).mode & 0o777).toBe(0o777);
    if (isRoot) {
      const mem = paths.get('mem') as string;
      expect(await systemMounter.mountsUnder(mem)).toEqual([mem]);
      const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
      expect(info.split('\n').find((l) => l.includes(` ${mem} `))).toContain('size=1024k');
      // Prepare again (every sync does): no second mount.
      await manager.prepare(pod([{ name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]));
      expect(await systemMounter.mountsUnder(mem)).toEqual([mem]);
    }
  });

  it('gives a clear reason when a Memory emptyDir cannot be mounted', async () => {
    manager = createVolumeManager({ rootDirectory: root, objects, log, mounter: { ...systemMounter, mountTmpfs: () => Promise.reject(new Error('mount: only root can do that')) } });
    await expect(manager.prepare(pod([{ name: 'mem', emptyDir: { medium: 'Memory' } }]))).rejects.toThrow(
      'MountVolume.SetUp failed for volume "mem" : emptyDir medium Memory needs a tmpfs mount, which failed (mount: only root can do that); run edgecore as root or drop medium: Memory',
    );
  });

  it('cleanup unmounts and removes the pod folder', async () => {
    objects.putSecret('ns1', 'creds', { password: 'x' });
    await manager.prepare(pod([{ name: 's', secret: { secretName: 'creds' } }, { name: 'mem', emptyDir: { medium: 'Memory' } }, { name: 'e', emptyDir: {} }]));
    expect(await manager.podsOnDisk()).toEqual(['uid-1']);
    await manager.cleanup('uid-1');
    expect(await systemMounter.mountsUnder(root)).toEqual([]);
    expect(await manager.podsOnDisk()).toEqual([]);
    await manager.cleanup('uid-1'); // idempotent
  });

  it('rejects unsupported, missing and double sources', async () => {
    await expect(manager.prepare(pod([{ name: 'pvc', persistentVolumeClaim: { claimName: 'x' } }]))).rejects.toThrow(
      'MountVolume.SetUp failed for volume "pvc" : unsupported volume source persistentVolumeClaim; edged supports emptyDir, hostPath, configMap, secret, projected, downwardAPI',
    );
    await expect(manager.prepare(pod([{ name: 'none' }]))).rejects.toThrow('no volume source set');
    await expect(manager.prepare(pod([{ name: 'two', emptyDir: {}, hostPath: { path: '/tmp' } }]))).rejects.toThrow('more than one volume source set (emptyDir, hostPath)');
  });

  it('checks hostPath types and returns the host path itself', async () => {
    const host = join(root, 'host');
    const paths = await manager.prepare(pod([{ name: 'h', hostPath: { path: join(host, 'made'), type: 'DirectoryOrCreate' } }]));
    expect(paths.get('h')).toBe(join(host, 'made'));
    expect((await fs.stat(join(host, 'made'))).isDirectory()).toBe(true);
    await expect(manager.prepare(pod([{ name: 'h', hostPath: { path: join(host, 'absent'), type: 'Directory' } }]))).rejects.toThrow(
      `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${join(host, 'absent')} is not a directory`,
    );
  });
});

describe('checkHostPath', () => {
  it('knows files, sockets and devices, and creates what *OrCreate asks for', async () => {
    const file = join(root, 'f');
    expect(await checkHostPath(file, 'FileOrCreate')).toBeUndefined();
    expect((await fs.stat(file)).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(await checkHostPath(file, 'File')).toBeUndefined();
    expect(await checkHostPath(file, 'Directory')).toBe(`hostPath type check failed: ${file} is not a directory`);
    expect(await checkHostPath(root, 'File')).toBe(`hostPath type check failed: ${root} is not a file`);
    expect(await checkHostPath(join(root, 'no', 'f'), 'FileOrCreate')).toContain('parent directory');
    expect(await checkHostPath('/dev/null', 'CharDevice')).toBeUndefined();
    expect(await checkHostPath(file, 'BlockDevice')).toBe(`hostPath type check failed: ${file} is not a block device`);
    expect(await checkHostPath(file, 'Socket')).toBe(`hostPath type check failed: ${file} is not a socket file`);
    expect(await checkHostPath(file, 'Bogus')).toMatch(/^unsupported hostPath type "Bogus"; use one of DirectoryOrCreate/);
    expect(await checkHostPath(join(root, 'anything'), undefined)).toBeUndefined();

    const sock = join(root, 's.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      expect(await checkHostPath(sock, 'Socket')).toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
