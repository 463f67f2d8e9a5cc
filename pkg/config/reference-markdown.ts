import { configReference, type FieldReference } from './reference';
import type { ConfigSpec } from './spec';

export interface ReferencePage {
  /** The program, e.g. `cloudcore`. */
  readonly program: string;
  /** Where its file is read from by default. */
  readonly defaultPath: string;
  readonly spec: ConfigSpec;
}

/**
 * A config format as a Markdown page: one table row per field, in file order, with its default and description.
 * Generated from the same spec the programs parse with, so the page cannot drift from the code (a test compares).
 */
export function renderConfigReference(page: ReferencePage): string {
  const rows = configReference(page.spec).map(row);
  return [
    `# ${page.program} configuration reference`,
    '',
    `Generated from the defaults by \`make config-docs\`; do not edit by hand. \`${page.program} --defaultconfig\` prints the`,
    `same settings as a commented YAML file. The file is read from \`${page.defaultPath}\` unless \`--config\` names another.`,
    'Durations are written as in Kubernetes (`15s`, `12h`); sizes as quantities (`12Mi`). Unknown fields are errors.',
    '',
    '| Field | Default | Description |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function row(field: FieldReference): string {
  const name = field.section ? `**\`${field.path}\`**` : `\`${field.path}\``;
  const value = field.section ? '' : `\`${cell(JSON.stringify(field.default))}\``;
  return `| ${name} | ${value} | ${cell(field.description ?? '')} |`;
}

/** A table cell cannot hold a pipe or a line break. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
