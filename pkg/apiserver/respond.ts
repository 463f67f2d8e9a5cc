/** Writing responses: JSON objects, Status errors, and lists built from stored JSON strings without re-serializing. */
import type { ServerResponse } from 'node:http';
import { StatusError } from './status';

export function writeJson(res: ServerResponse, code: number, body: unknown): void {
  writeText(res, code, JSON.stringify(body), 'application/json');
}

/** Writes an already serialized JSON document. */
export function writeText(res: ServerResponse, code: number, text: string, contentType: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function writeStatusError(res: ServerResponse, error: StatusError): void {
  writeJson(res, error.code, error.toStatus());
}

/** A successful Status, as some deletes answer. */
export function successStatus(details: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

export interface ListMetadata {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/**
 * `{"kind":..., "items":[<json>,<json>...]}` written in chunks of already serialized items: a list of 10,000 pods is
 * never re-serialized, nor held as one 30 MB string.
 */
export function writeList(
  res: ServerResponse,
  head: { kind: string; apiVersion: string; metadata: ListMetadata },
  itemsJson: readonly string[],
): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.write(`{"kind":${JSON.stringify(head.kind)},"apiVersion":${JSON.stringify(head.apiVersion)},"metadata":${JSON.stringify(head.metadata)},"items":[`);
  const CHUNK = 256;
  for (let i = 0; i < itemsJson.length; i += CHUNK) {
    res.write((i === 0 ? '' : ',') + itemsJson.slice(i, i + CHUNK).join(','));
  }
  res.end(']}');
}
