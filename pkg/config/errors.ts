/** One problem with a config file, placed at a field. */
export interface ConfigIssue {
  /** Dotted field path as written in the file (`modules.edgeHub.heartbeat`); empty for the whole file. */
  readonly path: string;
  /** The full sentence: `<path>: <what is wrong> (got <value>); <how to fix>`. */
  readonly text: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  readonly column?: number;
}

export type ConfigErrorCode =
  /** The file does not exist. */
  | 'CONFIG_NOT_FOUND'
  /** The file exists but could not be read. */
  | 'CONFIG_UNREADABLE'
  /** The text is not valid YAML. */
  | 'CONFIG_YAML_SYNTAX'
  /** apiVersion or kind is missing or names another format. */
  | 'CONFIG_WRONG_KIND'
  /** The YAML is fine but some values are not. */
  | 'CONFIG_INVALID';

/** A config that cannot be used. `issues` lists every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly code: ConfigErrorCode,
    /** Where the text came from: a file path, or a label such as "<stdin>". */
    readonly origin: string,
    readonly issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(formatMessage(code, origin, issues), options);
  }
}

const HEADLINE: Readonly<Record<ConfigErrorCode, string>> = {
  CONFIG_NOT_FOUND: 'config file not found',
  CONFIG_UNREADABLE: 'cannot read config file',
  CONFIG_YAML_SYNTAX: 'config file is not valid YAML',
  CONFIG_WRONG_KIND: 'config file has the wrong apiVersion or kind',
  CONFIG_INVALID: 'invalid config',
};

function formatMessage(code: ConfigErrorCode, origin: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((issue) => {
    const where = issue.line === undefined ? origin : `${origin}:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
    return `  ${where}: ${issue.text}`;
  });
  return [`${HEADLINE[code]}: ${origin} (${count})`, ...lines].join('\n');
}
