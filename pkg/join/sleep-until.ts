import { sleep } from '../timing';

/** setTimeout's longest delay (about 24.8 days); certificates live longer than that. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Sleeps until `now()` reaches `deadlineMs` (at once if it has), in steps short enough for setTimeout, rechecking the
 * clock after each. Rejects with the signal's reason when it aborts.
 */
export async function sleepUntil(deadlineMs: number, now: () => number, signal: AbortSignal): Promise<void> {
  for (;;) {
    const remainingMs = deadlineMs - now();
    if (remainingMs <= 0) {
      if (signal.aborted) throw signal.reason;
      return;
    }
    await sleep(Math.min(remainingMs, MAX_TIMER_MS), signal);
  }
}
