/** The private mosquitto: real processes, real MQTT clients. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { checkMosquittoInstalled, MosquittoError, startMosquitto, type RunningMosquitto } from '.';

async function connect(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 2_000, ...options });
  client.on('error', () => undefined);
  return client;
}

/** Alive and not a zombie (the broker is not our child: whoever reaps it may never do so here). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('pkg/mosquitto', () => {
  let dir: string;
  const running: RunningMosquitto[] = [];
  beforeAll(() => checkMosquittoInstalled()); // fails naming pkg/mosquitto/install.sh when it is missing
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mosquitto-test-'))));
  afterEach(async () => {
    await Promise.all(running.splice(0).map((broker) => broker.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(port?: number): Promise<RunningMosquitto> {
    const broker = await startMosquitto({ dir, ...(port === undefined ? {} : { port }) });
    running.push(broker);
    return broker;
  }

  it('starts on a free loopback port, carries messages, and stops by PID', async () => {
    const broker = await start();
    expect(broker.url).toBe(`tcp://127.0.0.1:${broker.port}`);
    expect(alive(broker.pid)).toBe(true);
    const sub = await connect(broker.url);
    const got = new Promise<string>((resolve) => sub.on('message', (_t, payload) => resolve(payload.toString())));
    await sub.subscribeAsync('t/1', { qos: 1 });
    const pub = await connect(broker.url);
    await pub.publishAsync('t/1', 'hello', { qos: 1 });
    expect(await got).toBe('hello');
    await Promise.all([sub.endAsync(), pub.endAsync()]);

    await broker.stop();
    expect(alive(broker.pid)).toBe(false);
    expect(existsSync(join(dir, 'mosquitto.pid'))).toBe(false);
    await broker.stop(); // idempotent
  });

  it('is idempotent: a second start on the same folder and port finds the running broker', async () => {
    const broker = await start();
    const again = await startMosquitto({ dir, port: broker.port });
    expect(again.pid).toBe(broker.pid);
  });

  it('keeps persistent sessions across a SIGKILL and a start on the same folder and port', async () => {
    const broker = await start();
    const app = await connect(broker.url, { clientId: 'keeper', clean: false });
    await app.subscribeAsync('kept/#', { qos: 1 });
    await app.endAsync();
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // saved within about 2 s (autosave_interval 1)

    await broker.kill();
    expect(alive(broker.pid)).toBe(false);
    const restarted = await start(broker.port);
    expect(restarted.pid).not.toBe(broker.pid);
    const pub = await connect(restarted.url);
    await pub.publishAsync('kept/a', 'while away', { qos: 1 });
    await pub.endAsync();

    // The queued message comes right after CONNACK: listen before connecting.
    const back = mqtt.connect(restarted.url, { clientId: 'keeper', clean: false, reconnectPeriod: 0 });
    const got = await new Promise<string>((resolve) => back.on('message', (_t, payload) => resolve(payload.toString())));
    expect(got).toBe('while away');
    await back.endAsync();
  });

  it('refuses a port another program holds, naming it', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const failure = await startMosquitto({ dir, port }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MosquittoError);
      expect((failure as MosquittoError).code).toBe('START_FAILED');
      expect((failure as MosquittoError).message).toContain(`127.0.0.1:${port} is already in use`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('refuses a bad port', async () => {
    await expect(startMosquitto({ dir, port: 70_000 })).rejects.toThrow('port: 70000 is not a port; pass 1..65535, or 0 for a free one');
  });

  it('stop.sh: nothing running is not an error, and a stale pid file never signals another process', () => {
    const script = join(__dirname, 'stop.sh');
    expect(spawnSync('bash', [script, join(dir, 'absent')]).status).toBe(0);
    // Our own PID stands for an unrelated process that reused the broker's.
    writeFileSync(join(dir, 'mosquitto.pid'), String(process.pid));
    const result = spawnSync('bash', [script, dir], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('is not mosquitto');
    expect(existsSync(join(dir, 'mosquitto.pid'))).toBe(false);
  });

  it('install.sh is idempotent once everything is present', () => {
    const result = spawnSync('bash', [join(__dirname, 'install.sh')], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('all present');
  });
});
