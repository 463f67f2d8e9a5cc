/** Column definitions as the real printers declare them, and the cells every table shares. */
import type { KObject, TableColumnDefinition } from '../types';
import { since } from '../util/age';
import { obj, objs, str } from '../util/json';

type ColumnType = TableColumnDefinition['type'];

export function column(name: string, type: ColumnType, description: string, options: { priority?: number; format?: string } = {}): TableColumnDefinition {
  return { name, type, format: options.format ?? '', description, priority: options.priority ?? 0 };
}

/** Shown by `-o wide` only. */
export const wide = (name: string, type: ColumnType, description: string): TableColumnDefinition => column(name, type, description, { priority: 1 });

export const NAME_COLUMN = column('Name', 'string', 'Name must be unique within a namespace; it identifies the object.', { format: 'name' });
export const AGE_COLUMN = column('Age', 'string', 'Time since the object was created (server time).');

export const CONTAINERS_COLUMN = wide('Containers', 'string', 'Names of each container in the template.');
export const IMAGES_COLUMN = wide('Images', 'string', 'Images referenced by each container in the template.');

export const nameOf = (o: KObject): string => str(obj(o.metadata).name);
export const ageOf = (o: KObject, nowMs: number): string => since(obj(o.metadata).creationTimestamp, nowMs);

/** `layoutContainerCells`: names and images of a template's containers, comma separated. */
export function containerCells(template: unknown): [string, string] {
  const containers = objs(obj(obj(template).spec).containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}
