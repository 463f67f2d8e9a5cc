/**
 * MQTT topic rules (MQTT 3.1.1 §4.7): what may be published to (a name: no wildcards) and what may be subscribed to
 * (a filter: '+' and '#' only as whole levels, '#' last), and matching a name against a filter. Every check returns a
 * problem text naming what is wrong and how to fix it, or undefined.
 */

/** MQTT encodes a topic's length in two bytes. */
export const MAX_TOPIC_BYTES = 65_535;

function common(topic: unknown, what: string): string | undefined {
  if (typeof topic !== 'string') return `the ${what} is ${topic === undefined ? 'missing' : `a ${typeof topic}`}; write a topic string such as "$hw/events/upload/app1"`;
  if (topic === '') return `the ${what} is empty; write a topic such as "$hw/events/upload/app1"`;
  const bytes = Buffer.byteLength(topic, 'utf8');
  if (bytes > MAX_TOPIC_BYTES) return `the ${what} is ${bytes} bytes, over MQTT's limit of ${MAX_TOPIC_BYTES}; use a shorter topic`;
  if (topic.includes('\u0000')) return `the ${what} contains a NUL character, which MQTT forbids; remove it`;
  // A lone surrogate has no UTF-8 encoding (the wire would carry U+FFFD instead).
  if (/[\uD800-\uDFFF]/.test(topic.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    return `the ${what} is not valid UTF-8; send the topic as UTF-8 text`;
  }
  return undefined;
}

/** A topic to publish on: no wildcards. */
export function topicNameProblem(topic: unknown): string | undefined {
  const problem = common(topic, 'topic');
  if (problem) return problem;
  if (/[+#]/.test(topic as string)) {
    return `the topic ${JSON.stringify(topic)} contains a wildcard ('+' or '#'), which only subscriptions may use; publish to a concrete topic`;
  }
  return undefined;
}

/** A topic filter to subscribe to: '+' fills a whole level, '#' is a whole level and the last one. */
export function topicFilterProblem(filter: unknown): string | undefined {
  const problem = common(filter, 'topic filter');
  if (problem) return problem;
  const levels = (filter as string).split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return `the topic filter ${JSON.stringify(filter)} uses '#' inside a level or before the end; '#' must be a whole level and the last one, as in "a/b/#"`;
    }
    if (level.includes('+') && level !== '+') {
      return `the topic filter ${JSON.stringify(filter)} uses '+' inside a level; '+' must be a whole level, as in "a/+/c"`;
    }
  }
  return undefined;
}

/**
 * True when `topic` matches `filter`. Wildcards at the first level never match topics starting with '$' (MQTT
 * 3.1.1 §4.7.2), so "+/user/#" does not take "$SYS/..." topics.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true; // also matches the parent level: "a/#" matches "a"
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
