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

/**
 * Shortest time between two writes to one watch stream while events keep coming. An event after a quiet spell is
 * written at once; events that follow it closely are gathered and written together one interval after the previous
 * write, so a watcher costs one TLS record and one syscall per interval, not per event, under a burst of writes
 * (what TCP autocorking does for small sends). Added latency: at most this, and only during bursts.
 */
export const WATCH_COALESCE_MS = 2;

export interface WatchTiming {
  bookmarkIntervalMs: number;
  coalesceMs: number;
}

/** Without timeoutSeconds the real server ends a watch after 30-60 minutes; clients re-watch. */
const DEFAULT_TIMEOUT_MS = () => (1800 + Math.floor(Math.random() * 1800)) * 1000;

export async function watch(
  scope: RequestScope,
  { bookmarkIntervalMs, coalesceMs }: WatchTiming = { bookmarkIntervalMs: BOOKMARK_INTERVAL_MS, coalesceMs: WATCH_COALESCE_MS },
): Promise<void> {
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
  let holding = false;
  if (query.get('allowWatchBookmarks') === 'true' && !asTable) {
    bookmarks = setInterval(() => {
      // A batch taken from the watcher but not written yet is behind watcher.position: no bookmark past it.
      if (holding) return;
      const bookmark = { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(watcher.position) } };
      res.write(`{"type":"BOOKMARK","object":${JSON.stringify(bookmark)}}\n`);
    }, bookmarkIntervalMs);
  }
  try {
    if (initial) {
      const lines = initial.items.filter((s) => keyFilter(s) && (!filter || filter(present(type, s)))).map((s) => render('ADDED', s));
      if (lines.length > 0) await write(res, lines.join(''));
    }
    let lastWriteMs = Number.NEGATIVE_INFINITY;
    for await (const batch of watcher) {
      // The events are committed, and the request that made them answers its client in this same tick: the streams
      // are written after that (check phase at the earliest), so fanning out is off that request's critical path.
      holding = true;
      await nextWriteSlot(lastWriteMs + coalesceMs);
      lastWriteMs = performance.now();
      const events = batch.concat(watcher.drain());
      const lines = events.filter((e) => keyFilter(e.object)).map((e) => render(e.type, e.object));
      const written = lines.length > 0 ? write(res, lines.join('')) : undefined;
      holding = false; // in the stream now, in order, even if the socket has yet to drain
      if (written) await written;
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

/** Resolves in the check phase, or at `notBeforeMs` (performance.now() time) if that is later. */
function nextWriteSlot(notBeforeMs: number): Promise<void> {
  const waitMs = notBeforeMs - performance.now();
  return new Promise((resolve) => (waitMs >= 1 ? setTimeout(resolve, Math.ceil(waitMs)) : setImmediate(resolve)));
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
