/**
 * JSON patch (RFC 6902) as the API server applies `application/json-patch+json`: with
 * gopkg.in/evanphx/json-patch.v4. Its texts are reproduced, and so are its departures from the RFC, which real
 * clients can observe:
 *
 * - `replace` of a missing object member adds it; only a missing array index fails;
 * - negative array indices count from the end (`/a/-1` is the last element);
 * - `copy` from a missing object member copies `null`; an absent `value` means `null`;
 * - the text before the first `/` of a pointer is ignored (`a/b` means `/b`), and `add`/`remove` at `""` fail;
 * - `replace` at `""` with a non-container value does nothing.
 */
import { jsonPatchFailed, malformed, tooManyOperations, type PatchError } from './errors';
import { cloneJson, deepEqual, del, get, has, isObject, jsonKind, set, type JsonObject, type JsonValue } from './json';

/** The API server refuses longer patches with 413 (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Total bytes `copy` may add in one patch; the server sets the library's limit to its 3 MiB request limit. */
export const MAX_COPY_BYTES = 3 * 1024 * 1024;

type Container = JsonObject | JsonValue[];

/** Suffixes the library's wrapped sentinel errors add to every message. */
const MISSING = ': missing value';
const INVALID_INDEX = ': invalid index referenced';

/** The patched document; `doc` and `operations` are never modified. Throws PatchError only. */
export function applyJsonPatch(doc: unknown, operations: unknown): JsonValue {
  const ops = decodeOperations(cloneJson(operations, 'JSON patch'));
  const start = cloneJson(doc, 'object');
  if (!isObject(start) && !Array.isArray(start)) {
    throw jsonPatchFailed('INVALID_PATCH', `json: cannot unmarshal ${jsonKind(start)} into Go value of type jsonpatch.partialDoc`);
  }
  const state = { root: start as Container, copiedBytes: 0 };
  for (const op of ops) applyOne(state, op);
  return state.root;
}

function decodeOperations(p: JsonValue): (JsonObject | null)[] {
  if (p === null) return [];
  if (!Array.isArray(p)) throw malformed(`json: cannot unmarshal ${jsonKind(p)} into Go value of type jsonpatch.Patch`);
  for (const op of p) {
    if (op !== null && !isObject(op)) {
      throw malformed(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (p.length > MAX_JSON_PATCH_OPERATIONS) throw tooManyOperations(MAX_JSON_PATCH_OPERATIONS, p.length);
  return p as (JsonObject | null)[];
}

interface State {
  root: Container;
  copiedBytes: number;
}

function applyOne(state: State, op: JsonObject | null): void {
  const kind = op !== null && typeof get(op, 'op') === 'string' ? (op.op as string) : 'unknown';
  const o = op ?? {};
  switch (kind) {
    case 'add':
      return add(state, o);
    case 'remove':
      return remove(state, o);
    case 'replace':
      return replace(state, o);
    case 'move':
      return move(state, o);
    case 'test':
      return test(state, o);
    case 'copy':
      return copy(state, o);
    default:
      throw invalid(`Unexpected kind: ${kind}`);
  }
}

const invalid = (message: string): PatchError => jsonPatchFailed('INVALID_PATCH', message);
const notFound = (message: string): PatchError => jsonPatchFailed('PATH_NOT_FOUND', message + MISSING);

/** The `path` or `from` member as a string, or the library's decode error text. */
function pointer(op: JsonObject, member: 'path' | 'from'): { value: string } | { error: string } {
  const v = get(op, member);
  if (v === undefined || v === null) {
    return { error: member === 'path' ? 'operation missing path field' + MISSING : 'operation, missing from field' + MISSING };
  }
  if (typeof v !== 'string') return { error: `json: cannot unmarshal ${jsonKind(v)} into Go value of type string` };
  return { value: v };
}

/** Resolves every token but the last (findObject); undefined when any step is missing or not a container. */
function locate(root: Container, path: string): { container: Container; key: string } | undefined {
  const tokens = path.split('/');
  if (tokens.length < 2) return undefined;
  let current: Container = root;
  for (const token of tokens.slice(1, -1)) {
    const child = childOf(current, decodeToken(token));
    if (!('value' in child) || (!isObject(child.value) && !Array.isArray(child.value))) return undefined;
    current = child.value;
  }
  return { container: current, key: decodeToken(tokens[tokens.length - 1]) };
}

const decodeToken = (t: string): string => t.replaceAll('~1', '/').replaceAll('~0', '~');

/** Reads a member or element. A missing object member reads as null; array failures carry the library's text. */
function childOf(c: Container, key: string): { value: JsonValue } | { error: string } {
  if (!Array.isArray(c)) return { value: get(c, key) ?? null };
  const idx = atoi(key);
  if (typeof idx === 'string') return { error: idx };
  const at = idx < 0 ? idx + c.length : idx;
  if (idx < -c.length || at >= c.length) return { error: `Unable to access invalid index: ${idx}${INVALID_INDEX}` };
  return { value: c[at] };
}

function insert(c: Container, key: string, value: JsonValue): string | undefined {
  if (!Array.isArray(c)) {
    set(c, key, value);
    return undefined;
  }
  if (key === '-') {
    c.push(value);
    return undefined;
  }
  const idx = atoi(key);
  if (typeof idx === 'string') return `value was not a proper array index: '${key}': ${idx}`;
  const size = c.length + 1;
  if (idx >= size || idx < -size) return `Unable to access invalid index: ${idx}${INVALID_INDEX}`;
  c.splice(idx < 0 ? idx + size : idx, 0, value);
  return undefined;
}

function removeAt(c: Container, key: string): string | undefined {
  if (!Array.isArray(c)) {
    if (!has(c, key)) return `Unable to remove nonexistent key: ${key}${MISSING}`;
    del(c, key);
    return undefined;
  }
  const idx = atoi(key);
  if (typeof idx === 'string') return idx;
  if (idx >= c.length || idx < -c.length) return `Unable to access invalid index: ${idx}${INVALID_INDEX}`;
  c.splice(idx < 0 ? idx + c.length : idx, 1);
  return undefined;
}

/** strconv.Atoi: an int64 or its error text. */
function atoi(s: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(s)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = BigInt(s);
  if (n >= 2n ** 63n || n < -(2n ** 63n)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`;
  return Number(n);
}

const valueOf = (op: JsonObject): JsonValue => get(op, 'value') ?? null;

function add(state: State, op: JsonObject): void {
  const path = pointer(op, 'path');
  if (!('value' in path)) throw invalid('add operation failed to decode path' + MISSING);
  const at = locate(state.root, path.value);
  if (!at) throw notFound(`add operation does not apply: doc is missing path: "${path.value}"`);
  const err = insert(at.container, at.key, valueOf(op));
  if (err) throw pathError(err, `error in add for path: '${path.value}': ${err}`);
}

function remove(state: State, op: JsonObject): void {
  const path = pointer(op, 'path');
  if (!('value' in path)) throw invalid('remove operation failed to decode path' + MISSING);
  const at = locate(state.root, path.value);
  if (!at) throw notFound(`remove operation does not apply: doc is missing path: "${path.value}"`);
  const err = removeAt(at.container, at.key);
  if (err) throw pathError(err, `error in remove for path: '${path.value}': ${err}`);
}

function replace(state: State, op: JsonObject): void {
  const path = pointer(op, 'path');
  if (!('value' in path)) throw invalid(`replace operation failed to decode path: ${path.error}`);
  const value = valueOf(op);
  if (path.value === '') {
    if (isObject(value) || Array.isArray(value)) state.root = value;
    return;
  }
  const at = locate(state.root, path.value);
  if (!at) throw notFound(`replace operation does not apply: doc is missing path: ${path.value}`);
  if (!Array.isArray(at.container)) {
    set(at.container, at.key, value);
    return;
  }
  const existing = childOf(at.container, at.key);
  if (!('value' in existing)) throw notFound(`replace operation does not apply: doc is missing key: ${path.value}`);
  const idx = Number(BigInt(at.key));
  at.container[idx < 0 ? idx + at.container.length : idx] = value;
}

function move(state: State, op: JsonObject): void {
  const from = pointer(op, 'from');
  if (!('value' in from)) throw invalid(`move operation failed to decode from: ${from.error}`);
  const src = locate(state.root, from.value);
  if (!src) throw notFound(`move operation does not apply: doc is missing from path: ${from.value}`);
  const read = childOf(src.container, src.key);
  if (!('value' in read)) throw pathError(read.error, `error in move for path: '${src.key}': ${read.error}`);
  const removed = removeAt(src.container, src.key);
  if (removed) throw pathError(removed, `error in move for path: '${src.key}': ${removed}`);
  const path = pointer(op, 'path');
  if (!('value' in path)) throw invalid(`move operation failed to decode path: ${path.error}`);
  const dst = locate(state.root, path.value);
  if (!dst) throw notFound(`move operation does not apply: doc is missing destination path: ${path.value}`);
  const err = insert(dst.container, dst.key, read.value);
  if (err) throw pathError(err, `error in move for path: '${path.value}': ${err}`);
}

function test(state: State, op: JsonObject): void {
  const path = pointer(op, 'path');
  if (!('value' in path)) throw invalid(`test operation failed to decode path: ${path.error}`);
  const expected = valueOf(op);
  const failed = (): PatchError => jsonPatchFailed('TEST_FAILED', `testing value ${path.value} failed: test failed`);
  if (path.value === '') {
    if (!deepEqual(state.root, expected)) throw failed();
    return;
  }
  const at = locate(state.root, path.value);
  if (!at) throw notFound(`test operation does not apply: is missing path: ${path.value}`);
  const actual = childOf(at.container, at.key);
  if (!('value' in actual)) throw pathError(actual.error, `error in test for path: '${path.value}': ${actual.error}`);
  if (!deepEqual(actual.value, expected)) throw failed();
}

function copy(state: State, op: JsonObject): void {
  const from = pointer(op, 'from');
  if (!('value' in from)) throw invalid(`copy operation failed to decode from: ${from.error}`);
  const src = locate(state.root, from.value);
  if (!src) throw notFound(`copy operation does not apply: doc is missing from path: ${from.value}`);
  const read = childOf(src.container, src.key);
  if (!('value' in read)) throw pathError(read.error, `error in copy for from: '${from.value}': ${read.error}`);
  const path = pointer(op, 'path');
  if (!('value' in path)) throw invalid('copy operation failed to decode path' + MISSING);
  const dst = locate(state.root, path.value);
  if (!dst) throw notFound(`copy operation does not apply: doc is missing destination path: ${path.value}`);
  const serialized = JSON.stringify(read.value);
  state.copiedBytes += Buffer.byteLength(serialized);
  if (state.copiedBytes > MAX_COPY_BYTES) {
    throw invalid(
      `Unable to complete the copy, the accumulated size increase of copy is ${state.copiedBytes}, exceeding the limit ${MAX_COPY_BYTES}`,
    );
  }
  const err = insert(dst.container, dst.key, JSON.parse(serialized) as JsonValue);
  if (err) throw pathError(err, `error while adding value during copy: ${err}`);
}

/** Missing members and indices are PATH_NOT_FOUND; bad index syntax stays INVALID_PATCH. */
const pathError = (cause: string, message: string): PatchError =>
  jsonPatchFailed(cause.endsWith(MISSING) || cause.endsWith(INVALID_INDEX) ? 'PATH_NOT_FOUND' : 'INVALID_PATCH', message);
