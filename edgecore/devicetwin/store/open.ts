/**
 * devicetwin's own connection to the edge database (database.dataSource). metamanager opens the file first (edgecore
 * creates it before any module runs) and owns its checks; this connection only adds devicetwin's tables.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../../pkg/log';
import { openModuleTables } from '../../../pkg/sqlite/module-tables';
import { TWIN_TABLES } from './migrations';

export class TwinStoreError extends Error {
  override readonly name = 'TwinStoreError';
}

export async function openTwinDatabase(dataSource: string, log: Logger): Promise<Knex> {
  try {
    return await openModuleTables(dataSource, TWIN_TABLES, log);
  } catch (error) {
    throw new TwinStoreError((error as Error).message, { cause: error });
  }
}
