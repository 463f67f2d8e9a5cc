/**
 * DmiTwinSide (the seam with ./dmi): mapper reports go through the same checks and state changes as MQTT updates. A
 * mapper is answered through gRPC, so the `/result` topic is not published for its twin reports; the document and the
 * delta are, as for any change, and a state report that changes the state is published on `state/update/result` so
 * that apps learn it.
 */
import { randomUUID } from 'node:crypto';
import type { Device, DeviceModel } from '../../pkg/devices/api';
import { deviceTopic } from '../../pkg/devices/topics';
import type { DeviceStateUpdate, DeviceTwinUpdate } from '../../pkg/devices/twin-json';
import { DmiReportError, type DmiTwinSide } from './dmi';
import type { Effects } from './effects';
import { asTwinError, TwinError } from './errors';
import { stateResult } from './state/json';
import { parseStateUpdate, parseTwinUpdate, kindOf } from './state/requests';
import type { TwinRequests } from './twin-requests';

export interface RunningTwin {
  readonly requests: TwinRequests;
  readonly effects: Effects;
}

/** Delegates to the running module; while it is starting or stopped, reports fail (the mapper retries). */
export class DmiSide implements DmiTwinSide {
  current: RunningTwin | undefined;

  async devicesForProtocol(protocol: string): Promise<{ devices: Device[]; models: DeviceModel[] }> {
    return this.running().requests.devicesForProtocol(protocol);
  }

  async reportTwins(namespace: string, name: string, update: DeviceTwinUpdate): Promise<void> {
    const { requests, effects } = this.running();
    try {
      requests.updateTwins(namespace, name, parseTwinUpdate(asObject(update)));
      effects.metrics.request('twin_update', 'dmi', 200);
    } catch (error) {
      throw this.refused('twin_update', namespace, name, error);
    }
  }

  async reportState(namespace: string, name: string, update: DeviceStateUpdate): Promise<void> {
    const { requests, effects } = this.running();
    try {
      const request = parseStateUpdate(asObject(update));
      const outcome = requests.updateState(namespace, name, request, 'dmi');
      effects.metrics.request('state_update', 'dmi', 200);
      if (outcome === 'ignored') {
        effects.metrics.ignored('unknown_state');
        return;
      }
      if (outcome.stateChanged) {
        const topic = deviceTopic(namespace, name, 'state/update/result');
        effects.publisher.publish(topic, stateResult(outcome.device, request.eventId || randomUUID(), effects.now()));
      }
    } catch (error) {
      throw this.refused('state_update', namespace, name, error);
    }
  }

  private running(): RunningTwin {
    if (!this.current) throw new Error('devicetwin is not running (starting or stopping); report again shortly');
    return this.current;
  }

  private refused(kind: 'twin_update' | 'state_update', namespace: string, name: string, error: unknown): Error {
    const refusal = asTwinError(error);
    const effects = this.current?.effects;
    effects?.metrics.request(kind, 'dmi', refusal.code);
    const fields = { device: `${namespace}/${name}`, code: refusal.code };
    if (refusal.code === 500) {
      effects?.log.error({ ...fields, err: refusal.cause ?? refusal }, refusal.reason);
      return refusal;
    }
    effects?.log.warn(fields, `refused a mapper's ${kind === 'twin_update' ? 'twin report' : 'state report'}: ${refusal.reason}`);
    return new DmiReportError(refusal.code === 404 ? 'unknownDevice' : 'invalid', refusal.reason, { cause: refusal });
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TwinError(400, `report: is a ${kindOf(value)}, not an object`);
  }
  return value as Record<string, unknown>;
}
