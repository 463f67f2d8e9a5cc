/** The external connection's reconnect loop alone, against a real TCP listener that hangs up on every client. */
import { createServer } from 'node:net';
import { MqttConnection } from './mqtt-connection';
import { silentLog, sleep } from './testing/edge';

describe('MqttConnection', () => {
  it('retries with growing back-off, reports each failure to its owner, and stops cleanly', async () => {
    const attempts: number[] = [];
    const server = createServer((socket) => {
      attempts.push(Date.now());
      socket.destroy(); // a broker that hangs up at once
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const failures: (string | undefined)[] = [];
    const connection = new MqttConnection({
      url: `tcp://127.0.0.1:${port}`,
      clientId: 'hub-client-pub-test',
      connectTimeoutMs: 1_000,
      keepaliveSeconds: 30,
      reconnectInitialMs: 50,
      reconnectMaxMs: 400,
      maxPending: 10,
      maxPendingBytes: 1024,
      log: silentLog,
      onConnected: () => failures.push('connected?'),
      onDisconnected: (error) => failures.push(error?.message),
    });
    try {
      connection.start();
      await sleep(1_600);
      // 50, 100, 200, 400, 400 ... ms (jittered down by up to 20%): about 6 attempts, where a fixed 50 ms would make 30.
      expect(attempts.length).toBeGreaterThanOrEqual(4);
      expect(attempts.length).toBeLessThanOrEqual(9);
      const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
      expect(Math.max(...gaps)).toBeGreaterThanOrEqual(300);
      expect(failures.length).toBeGreaterThanOrEqual(attempts.length - 1);
      expect(failures).not.toContain('connected?');
      expect(connection.state).toMatch(/waiting|connecting/);

      // A publish meanwhile waits (bounded), and is given up at stop.
      void connection.publish('t', Buffer.from('x'), 1, false).catch(() => undefined);
      expect(connection.pending).toBe(1);
      await expect(connection.publish('t', Buffer.alloc(2048), 1, false)).rejects.toThrow('(tuning.maxPendingBytes)');
    } finally {
      expect(await connection.stop()).toBe(1);
      const after = attempts.length;
      await sleep(500);
      expect(attempts.length).toBe(after); // no retry after stop
      await new Promise((resolve) => server.close(resolve));
    }
    expect(connection.state).toBe('stopped');
  });
});
