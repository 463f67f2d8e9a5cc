import { Document, isMap, isScalar, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import { defaultInputOf, inspect } from './introspect';
import type { ConfigSpec } from './spec';

const COMMENT_WIDTH = 96;

/**
 * The complete default config file: every field at its default, written as a user would write it,
 * with its description as a comment above it. Loading it gives exactly the defaults.
 */
export function renderDefaultConfig(spec: ConfigSpec, options: { header?: string } = {}): string {
  const doc = new Document(defaultInputOf(spec.schema));
  if (options.header !== undefined) doc.commentBefore = commentLines(options.header, 0);
  if (isMap(doc.contents)) annotate(doc.contents, spec.schema, 0);
  return doc.toString({ lineWidth: 0, indent: 2 });
}

function annotate(map: YAMLMap, schema: z.ZodType, depth: number): void {
  const shape = inspect(schema).shape ?? {};
  for (const pair of map.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
    const child = shape[pair.key.value];
    if (child === undefined) continue;
    const info = inspect(child);
    const description = info.meta?.description;
    if (description !== undefined) pair.key.commentBefore = commentLines(description, depth + 1);
    if (info.shape !== undefined && isMap(pair.value)) {
      // A blank line before each section (but not right after its parent's key) keeps the file scannable.
      pair.key.spaceBefore = pair !== map.items[0];
      annotate(pair.value, child, depth + 1);
    }
  }
}

/** Wraps text into comment lines; yaml prefixes each line with "#", so each starts with a space. */
function commentLines(text: string, depth: number): string {
  const width = Math.max(40, COMMENT_WIDTH - 2 * depth);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && line.length + word.length + 1 > width) {
        lines.push(line);
        line = '';
      }
      line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines.map((line) => ` ${line}`).join('\n');
}
