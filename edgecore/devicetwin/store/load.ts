/** Reads everything devicetwin stored, to start from where it stopped. */
import type { Knex } from 'knex';
import type { DeviceRecord, ModelRecord } from '../state/types';
import { attrFromRow, deviceFromRow, modelFromRow, twinFromRow, type AttrRow, type DeviceRow, type ModelRow, type TwinRow } from './rows';

export interface StoredState {
  readonly devices: Map<string, DeviceRecord>;
  readonly models: Map<string, ModelRecord>;
}

export async function loadStoredState(knex: Knex): Promise<StoredState> {
  const devices = new Map<string, DeviceRecord>();
  for (const row of await knex<DeviceRow>('device').select('*')) devices.set(row.id, deviceFromRow(row));
  for (const row of await knex<TwinRow>('device_twin').select('*')) {
    devices.get(row.deviceid)?.twins.set(row.name, twinFromRow(row));
  }
  for (const row of await knex<AttrRow>('device_attr').select('*')) {
    devices.get(row.deviceid)?.attributes.set(row.name, attrFromRow(row));
  }
  const models = new Map<string, ModelRecord>();
  for (const row of await knex<ModelRow>('device_model').select('*')) models.set(row.id, modelFromRow(row));
  return { devices, models };
}
