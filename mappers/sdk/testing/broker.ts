/** A real MQTT broker (aedes, see mqtt-broker.js) as a child process, stopped by PID. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface Broker {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startBroker(port = 0): Promise<Broker> {
  const child = spawn(process.execPath, [join(__dirname, 'mqtt-broker.js'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const bound = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the MQTT broker exited (${code}) before listening: ${stderr}`)));
  });
  return {
    url: `mqtt://127.0.0.1:${bound}`,
    port: bound,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
