/**
 * The devices and models metamanager holds (all namespaces: `/device`, `/devicemodel`, always from its store), read
 * at start. devicetwin never opens metamanager's tables: it asks by message, as edged does.
 */
import type { Device, DeviceModel } from '../../pkg/devices/api';
import { newMessage, Operation, readErrorContent, readJsonContent } from '../../pkg/message';
import { ModuleError, type ModuleContext } from '../../pkg/modules';

export const METAMANAGER = 'metamanager';

export class MetaSourceError extends Error {
  override readonly name = 'MetaSourceError';
}

export interface MetaObjects {
  readonly devices: Device[];
  readonly models: DeviceModel[];
}

/** Undefined when metamanager is not part of this edgecore (then only the store's devices are known). */
export async function listFromMeta(ctx: Pick<ModuleContext, 'sendSync'>, source: string, timeoutMs: number): Promise<MetaObjects | undefined> {
  try {
    const devices = (await list(ctx, source, '/device', timeoutMs)) as Device[];
    const models = (await list(ctx, source, '/devicemodel', timeoutMs)) as DeviceModel[];
    return { devices, models };
  } catch (error) {
    if (error instanceof ModuleError && error.code === 'UNKNOWN_MODULE') return undefined;
    throw error;
  }
}

async function list(ctx: Pick<ModuleContext, 'sendSync'>, source: string, resource: string, timeoutMs: number): Promise<unknown[]> {
  const request = newMessage({ source, group: 'meta', operation: 'query', resource });
  const answer = await ctx.sendSync(METAMANAGER, request, timeoutMs);
  if (answer.route?.operation === Operation.OPERATION_ERROR) {
    throw new MetaSourceError(`metamanager could not list ${resource}: ${readErrorContent(answer).message}`);
  }
  const value = readJsonContent(answer);
  if (!Array.isArray(value)) throw new MetaSourceError(`metamanager answered ${resource} with something other than a JSON array`);
  return value.filter((item): item is object => typeof item === 'object' && item !== null && !Array.isArray(item));
}
