/** Test wiring: devicecontroller in a real module runtime, beside a stand-in cloudhub that keeps what is sent to it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Device, DeviceModel } from '../../../pkg/devices';
import type { Logger } from '../../../pkg/log';
import type { Message } from '../../../pkg/message';
import { ModuleRuntime } from '../../../pkg/modules';
import { createDeviceController, type DeviceControllerOptions } from '../index';

export function startWithStandInHub(options: DeviceControllerOptions, log: Logger): { runtime: ModuleRuntime; received: Message[] } {
  const received: Message[] = [];
  const runtime = new ModuleRuntime({ log, restart: { enabled: false, initialDelayMs: 10, maxDelayMs: 10 } });
  runtime.register({
    name: 'cloudhub',
    group: 'cloudhub',
    async run(ctx) {
      for await (const message of ctx.receive()) received.push(message);
    },
  });
  runtime.register(createDeviceController(options));
  runtime.start();
  return { runtime, received };
}

/** The KubeEdge-format Modbus fixtures beside this file, as text (for kubectl) and parsed. */
export const FIXTURES_DIR = __dirname;
export const fixtureText = (file: 'modbus-device.yaml' | 'modbus-devicemodel.yaml'): string => readFileSync(join(FIXTURES_DIR, file), 'utf8');
export const modbusDevice = (): Device => parse(fixtureText('modbus-device.yaml')) as Device;
export const modbusModel = (): DeviceModel => parse(fixtureText('modbus-devicemodel.yaml')) as DeviceModel;
