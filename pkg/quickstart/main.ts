#!/usr/bin/env node
/**
 * `make quickstart`: brings up what exists so far and shows it working. Today that is cloudcore and edgecore with
 * their default configs (no module is implemented yet, so none is enabled), each serving /healthz and /metrics; the
 * quickstart checks both, prints what it saw, then stops the two processes by PID. Issue #8 turns this into the full
 * keadm init + join + sample app + device walk-through.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const WORK = join(ROOT, '.tmp', 'quickstart');

const PROGRAMS = [
  { name: 'cloudcore', monitor: 'http://127.0.0.1:9091' },
  { name: 'edgecore', monitor: 'http://127.0.0.1:9092' },
] as const;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function waitForHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with status ${child.exitCode} before it was healthy`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return (await response.text()).trim();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<number> {
  mkdirSync(WORK, { recursive: true });
  const children: ChildProcess[] = [];
  const stopAll = (): void => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
  process.once('SIGINT', stopAll);
  try {
    for (const { name, monitor } of PROGRAMS) {
      const entry = join(ROOT, 'dist', name, 'main.js');
      const config = join(WORK, `${name}.yaml`);
      writeFileSync(config, execFileSync(process.execPath, [entry, '--defaultconfig']));
      say(`[${name}] wrote ${config} (all defaults)`);
      const child = spawn(process.execPath, [entry, '--config', config, '--log-level', 'warn'], { stdio: 'inherit' });
      children.push(child);
      say(`[${name}] started, pid ${child.pid}`);
      say(`[${name}] ${monitor}/healthz: ${await waitForHealthy(monitor, child, 10_000)}`);
      const metrics = await (await fetch(`${monitor}/metrics`)).text();
      const rss = /process_resident_memory_bytes\{[^}]*\} (\d+)/.exec(metrics)?.[1];
      say(`[${name}] ${monitor}/metrics: ${metrics.split('\n').filter((l) => l && !l.startsWith('#')).length} samples, RSS ${Math.round(Number(rss) / 2 ** 20)} MiB`);
    }
    say('');
    say('Both programs are up and healthy. No module is implemented yet (see the README), so there is no');
    say('cloud-edge traffic to show; stopping them now.');
    return 0;
  } catch (error) {
    say(`quickstart failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    stopAll();
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    say(`stopped ${children.map((c) => c.pid).join(' and ')}`);
  }
}

void main().then((code) => (process.exitCode = code));
