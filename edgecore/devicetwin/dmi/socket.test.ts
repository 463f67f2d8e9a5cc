/** The DMI socket file: stale ones cleared, live ones refused, garbage on the socket survived. */
import { status, type ServiceError } from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { credentials, Client, Metadata } from '@grpc/grpc-js';
import { DmiSocketError } from './errors';
import { modbusDevice, modbusModel } from './testing/fixtures';
import { startDmi, tempDir } from './testing/harness';

/** A socket file whose listener was killed (SIGKILL), as a crashed edgecore leaves it. */
function staleSocket(path: string): void {
  try {
    execFileSync(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", path]);
  } catch {
    // Killed on purpose.
  }
  if (!statSync(path).isSocket()) throw new Error(`no stale socket at ${path}`);
}

describe('DMI socket', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  it('creates the folder, replaces a socket left by a dead edgecore, and removes its own at stop', async () => {
    mkdirSync(join(temp.dir, 'kubeedge'));
    const path = join(temp.dir, 'kubeedge', 'dmi.sock');
    staleSocket(path);
    const h = await startDmi(temp.dir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await h.client().register({ withData: true, mapper: { name: 'm', version: '', apiVersion: '', protocol: 'p', address: Buffer.from('/tmp/none.sock'), state: '' } });
    await h.stop();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a socket another edgecore listens on, and the first keeps serving', async () => {
    const first = await startDmi(temp.dir);
    try {
      const error = await startDmi(temp.dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DmiSocketError);
      expect((error as Error).message).toBe(
        `modules.deviceTwin.dmiSockPath ${join(temp.dir, 'kubeedge')}: another process (another edgecore?) is listening on ` +
          `${first.socket}; stop it, or give this edgecore another dmiSockPath`,
      );
      first.twin.add(modbusModel(), modbusDevice());
      await first.client().reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'online' });
      expect(first.twin.states).toHaveLength(1);
    } finally {
      await first.stop();
    }
  });

  it('refuses a path that is not a socket', async () => {
    mkdirSync(join(temp.dir, 'kubeedge'));
    writeFileSync(join(temp.dir, 'kubeedge', 'dmi.sock'), 'not a socket');
    await expect(startDmi(temp.dir)).rejects.toThrow(/dmi\.sock exists and is not a socket; move it away or choose another folder$/);
  });

  it('survives garbage bytes and undecodable requests, and keeps serving others', async () => {
    const h = await startDmi(temp.dir);
    try {
      h.twin.add(modbusModel(), modbusDevice());
      // Not HTTP/2 at all.
      await new Promise<void>((resolve) => {
        const socket = connect(h.socket, () => socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n\x00\xff\xfe garbage')));
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.resume();
      });
      // A gRPC call whose body is not a protobuf message.
      const raw = new Client(`unix://${h.socket}`, credentials.createInsecure());
      const error = await new Promise<ServiceError>((resolve) =>
        raw.makeUnaryRequest(
          '/v1beta1.DeviceManagerService/ReportDeviceStates',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
          new Metadata(),
          { deadline: Date.now() + 5000 },
          (e) => resolve(e!),
        ),
      );
      raw.close();
      expect(error.code).toBe(status.INTERNAL);
      // An unknown method.
      const other = new Client(`unix://${h.socket}`, credentials.createInsecure());
      const unimplemented = await new Promise<ServiceError>((resolve) =>
        other.makeUnaryRequest('/v1beta1.DeviceManagerService/Nope', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (e) => resolve(e!)),
      );
      other.close();
      expect(unimplemented.code).toBe(status.UNIMPLEMENTED);

      await h.client().reportStates({ deviceName: 'thermometer', deviceNamespace: 'default', state: 'online' });
      expect(h.twin.states).toHaveLength(1);
    } finally {
      await h.stop();
    }
  });
});
