/**
 * watch: a chunked stream of `{"type":...,"object":...}` lines. With no resourceVersion (or "0") the stream starts
 * with ADDED for every matching object, as the real server does; with one, it replays what happened after it, or
 * answers an ERROR event with a 410 Status when that history is gone, so clients relist.
 */
import type { ServerResponse } from 'node:http';
import { apiVersionOf } from '../served-type';
import { badRequest, gone, StatusError } from '../status';
import { isStorageError, type StoredObject } from '../storage';
import { buildTable, parseIncludeObject, tableApiVersion, wantsTable } from '../table';
import { storagePrefix } from '../served-type';
import { compileSelectors } from './filter';
import { present, presentJson, type RequestScope } from './scope';

/** How often an idle watch that asked for bookmarks gets one (the real server: about a minute). */
export const BOOKMARK_INTERVAL_MS = 60_000;

/** Without timeoutSeconds the real server ends a watch after 30-60 minutes; clients re-watch. */
const DEFAULT_TIMEOUT_MS = () => (1800 + Math.floor(Math.random() * 1800)) * 1000;

export async function watch(scope: RequestScope, bookmarkIntervalMs = BOOKMARK_INTERVAL_MS): Promise<void> {
  const { type, parts, query, req, res } = scope;
  const filter = compileSelectors(type, query);
  const prefix = storagePrefix(type, scope.info.namespace);
  const nameFilter = scope.info.name ? `${prefix}${scope.info.name}` : undefined;
  const keyFilter = (stored: StoredObject): boolean => !nameFilter || stored.key === nameFilter;

  const rvText = query.get('resourceVersion') ?? '';
  if (rvText !== '' && !/^\d+$/.test(rvText)) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a non-negative integer`);
  const fromNow = rvText === '' || rvText === '0';
  const timeoutSeconds = query.get('timeoutSeconds');
  const timeoutMs = timeoutSeconds ? Number(timeoutSeconds) * 1000 : DEFAULT_TIMEOUT_MS();
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw badRequest(`timeoutSeconds: must be a non-negative integer (got "${timeoutSeconds}")`);

  const accept = req.headers.accept;
  const asTable = wantsTable(accept);
  let firstTable = true;
  const render = (eventType: string, stored: StoredObject): string => {
    if (!asTable) return `{"type":"${eventType}","object":${presentJson(type, stored)}}\n`;
    const table = buildTable(type, [present(type, stored)], {
      apiVersion: tableApiVersion(accept),
      include: parseIncludeObject(query.get('includeObject')),
      resourceVersion: String(stored.revision),
      columns: firstTable,
    });
    firstTable = false;
    return `{"type":"${eventType}","object":${JSON.stringify(table)}}\n`;
  };

  const stop = new AbortController();
  const initial = fromNow ? parts.store.list(nameFilter ?? prefix) : undefined;
  let watcher;
  try {
    watcher = parts.store.watch(nameFilter ?? prefix, {
      fromRevision: initial ? initial.revision : Number(rvText),
      signal: stop.signal,
      ...(filter ? { filter: (object) => filter(type.fromStorage ? type.fromStorage(object) : object) } : {}),
    });
  } catch (error) {
    if (isStorageError(error) && (error.code === 'GONE' || error.code === 'TOO_NEW')) {
      startStream(res);
      const status = error.code === 'GONE' ? gone(`too old resource version: ${rvText} (${parts.store.compactRevision})`) : tooNew(rvText);
      res.end(`{"type":"ERROR","object":${JSON.stringify(status.toStatus())}}\n`);
      return;
    }
    throw error;
  }

  startStream(res);
  const end = (): void => stop.abort();
  req.on('close', end);
  const timeout = setTimeout(end, timeoutMs);
  let bookmarks: NodeJS.Timeout | undefined;
  if (query.get('allowWatchBookmarks') === 'true' && !asTable) {
    bookmarks = setInterval(() => {
      const bookmark = { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(watcher.position) } };
      res.write(`{"type":"BOOKMARK","object":${JSON.stringify(bookmark)}}\n`);
    }, bookmarkIntervalMs);
  }
  try {
    if (initial) {
      const lines = initial.items.filter((s) => keyFilter(s) && (!filter || filter(present(type, s)))).map((s) => render('ADDED', s));
      if (lines.length > 0) await write(res, lines.join(''));
    }
    for await (const batch of watcher) {
      const lines = batch.filter((e) => keyFilter(e.object)).map((e) => render(e.type, e.object));
      if (lines.length > 0) await write(res, lines.join(''));
    }
  } catch (error) {
    // An overflowing or closed watch just ends: the client re-watches from the last revision it saw.
    if (!isStorageError(error)) throw error;
    parts.log.debug({ err: error, resource: type.plural }, 'watch ended');
  } finally {
    clearTimeout(timeout);
    if (bookmarks) clearInterval(bookmarks);
    req.off('close', end);
    watcher.stop();
    res.end();
  }
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
}

/** Writes and waits for the socket to drain, so a slow client holds back its own watch, not the server's memory. */
function write(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const tooNew = (rv: string): StatusError =>
  new StatusError(504, 'Timeout', `Too large resource version: ${rv}, current resource version is lower`);
