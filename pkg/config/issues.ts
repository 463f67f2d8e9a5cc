import type { z } from 'zod';
import type { ProblemParams } from './field';
import { inspect, schemaAt } from './introspect';

/** A problem at a path, before a line number is attached. */
export interface PathIssue {
  readonly rawPath: readonly (string | number)[];
  readonly path: string;
  readonly text: string;
}

/** `modules.edgeHub.servers[1]`, with keys that are not plain names quoted: `nodeLabels["a.b/c"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** A short rendering of a bad value for "(got ...)". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** The one sentence shape every config problem takes. */
export function issueText(path: string, problem: string, got: string | undefined, hint: string | undefined): string {
  return `${path || '(top level)'}: ${problem}${got === undefined ? '' : ` (got ${got})`}${hint ? `; ${hint}` : ''}`;
}

/** Converts zod's issues to this project's sentences; one issue per unknown key. */
export function toPathIssues(issues: readonly z.core.$ZodIssue[], root: z.ZodType): PathIssue[] {
  return issues.flatMap((issue) => {
    const rawPath = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    const path = formatPath(rawPath);
    const at = (problem: string, got: string | undefined, hint: string | undefined): PathIssue => ({
      rawPath,
      path,
      text: issueText(path, problem, got, hint),
    });
    switch (issue.code) {
      case 'custom': {
        const params = issue.params as ProblemParams | undefined;
        const got = params?.showInput === false ? undefined : describeValue(issue.input);
        return [at(issue.message, got, params?.hint)];
      }
      case 'unrecognized_keys':
        return issue.keys.map((key) => unknownKey(root, rawPath, key));
      case 'invalid_type':
        if (issue.expected === 'object') {
          const hint = 'write its fields indented below it, or remove it to use the defaults';
          return [at('not a section', describeValue(issue.input), hint)];
        }
        return [at(`not a ${issue.expected}`, describeValue(issue.input), undefined)];
      default:
        return [at(issue.message, issue.input === undefined ? undefined : describeValue(issue.input), undefined)];
    }
  });
}

function unknownKey(root: z.ZodType, parentPath: readonly (string | number)[], key: string): PathIssue {
  const rawPath = [...parentPath, key];
  const path = formatPath(rawPath);
  const parent = schemaAt(root, parentPath);
  const allowed = parent === undefined ? [] : Object.keys(inspect(parent).shape ?? {});
  const guess = closest(key, allowed);
  const hint = `${guess === undefined ? '' : `did you mean ${guess}? `}allowed here: ${allowed.join(', ')}`;
  return { rawPath, path, text: issueText(path, 'unknown field', undefined, hint) };
}

/** The allowed name a typo most likely meant: same letters ignoring case, or at most 2 edits away. */
export function closest(typed: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of allowed) {
    const distance = name.toLowerCase() === typed.toLowerCase() ? 0 : editDistance(typed, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] as number;
}
