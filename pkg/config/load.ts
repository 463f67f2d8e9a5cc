import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors';
import { describeValue, issueText, toPathIssues } from './issues';
import type { ConfigSpec } from './spec';

/** Where config text comes from: a file, or text already in hand (`origin` names it in messages). */
export type ConfigSource = { readonly path: string } | { readonly text: string; readonly origin?: string };

/** Reads, parses and validates a config file; throws ConfigError listing every problem. */
export async function loadConfig<S extends z.ZodType>(spec: ConfigSpec<S>, source: ConfigSource): Promise<z.output<S>> {
  if ('text' in source) return parseConfig(spec, source.text, source.origin);
  let text: string;
  try {
    text = await readFile(source.path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const problem = missing ? 'no such file' : `cannot be read (${(cause as Error).message})`;
    const issue = { path: '', text: `${problem}; check the path` };
    throw new ConfigError(missing ? 'CONFIG_NOT_FOUND' : 'CONFIG_UNREADABLE', source.path, [issue], { cause });
  }
  return parseConfig(spec, text, source.path);
}

/** Parses and validates config text. */
export function parseConfig<S extends z.ZodType>(spec: ConfigSpec<S>, text: string, origin = '<text>'): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError('CONFIG_YAML_SYNTAX', origin, doc.errors.map(syntaxIssue));

  const located = (issue: RawIssue): ConfigIssue => ({ path: issue.path, text: issue.text, ...locate(doc, lineCounter, issue.rawPath) });
  const value: unknown = doc.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('CONFIG_INVALID', origin, [located(notAMapping(spec, value))]);
  }
  const identity = identityIssues(spec, value as Record<string, unknown>);
  if (identity.length > 0) throw new ConfigError('CONFIG_WRONG_KIND', origin, identity.map(located));

  const result = spec.schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issues = toPathIssues(result.error.issues, spec.schema).map(located);
  throw new ConfigError('CONFIG_INVALID', origin, issues.sort(byLine));
}

const SYNTAX_HINTS: Readonly<Record<string, string>> = {
  MULTIPLE_DOCS: 'a config file holds one document; remove the extra "---"',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  DUPLICATE_KEY: 'a key may appear once per section; remove or merge the repeats',
};

function syntaxIssue(error: YAMLError): ConfigIssue {
  const summary = SYNTAX_HINTS[error.code] ?? (error.message.split(' at line ')[0] as string);
  const position = error.linePos?.[0];
  return { path: '', text: `YAML syntax error: ${summary}`, line: position?.line, column: position?.col };
}

interface RawIssue {
  readonly rawPath: readonly (string | number)[];
  readonly path: string;
  readonly text: string;
}

function notAMapping(spec: ConfigSpec, value: unknown): RawIssue {
  const start = `start the file with "apiVersion: ${spec.apiVersion}" and "kind: ${spec.kind}"`;
  const problem = value === null ? 'the file is empty' : 'not a YAML mapping';
  return { rawPath: [], path: '', text: issueText('', problem, value === null ? undefined : describeValue(value), start) };
}

/** apiVersion and kind are checked first: a file of another kind would otherwise drown in noise. */
function identityIssues(spec: ConfigSpec, document: Record<string, unknown>): RawIssue[] {
  return (['apiVersion', 'kind'] as const).flatMap((key) => {
    const expected = spec[key];
    const got = document[key];
    if (got === expected) return [];
    const problem = got === undefined ? 'missing' : key === 'kind' ? 'wrong kind' : 'unsupported version';
    const text = issueText(key, problem, got === undefined ? undefined : describeValue(got), `this program reads ${key}: ${expected}`);
    return [{ rawPath: [key], path: key, text }];
  });
}

/** Document order; issues without a line (none today) go last. Array.sort is stable. */
function byLine(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);
}

/** The line of the deepest node along `path` (the key itself where it exists). */
function locate(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[]): { line?: number } {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair === undefined) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      offset = (node as { range?: [number] } | null)?.range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? {} : { line: lineCounter.linePos(offset).line };
}
