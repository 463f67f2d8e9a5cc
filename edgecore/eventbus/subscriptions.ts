/** The topic filters eventbus subscribes to: KubeEdge's (EVENTBUS_TOPICS), which always stay, plus the cloud's (sub_topics). */
import { EVENTBUS_TOPICS } from '../../pkg/devices';
import { topicMatches } from './topic-rules';

export class Subscriptions {
  private readonly filters: Set<string>;

  constructor(stored: readonly string[]) {
    this.filters = new Set([...EVENTBUS_TOPICS, ...stored]);
  }

  /** Every filter, KubeEdge's first. */
  all(): string[] {
    return [...this.filters];
  }

  get size(): number {
    return this.filters.size;
  }

  /** True when added (it was not there). */
  add(filter: string): boolean {
    if (this.filters.has(filter)) return false;
    this.filters.add(filter);
    return true;
  }

  /** True when removed. KubeEdge's own topics are never removed. */
  remove(filter: string): boolean {
    if (isBuiltIn(filter)) return false;
    return this.filters.delete(filter);
  }

  /** True when some filter matches the topic. A few filters, so a scan is cheaper than a trie. */
  matches(topic: string): boolean {
    for (const filter of this.filters) if (topicMatches(filter, topic)) return true;
    return false;
  }
}

export function isBuiltIn(filter: string): boolean {
  return EVENTBUS_TOPICS.includes(filter);
}
