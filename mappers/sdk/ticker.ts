/**
 * Runs `task` every `periodMs` until `signal` aborts. Ticks never overlap: a task that takes longer than the period
 * delays the next tick instead of piling up behind a slow device. Timers are unref'd: they never keep a process up.
 */
export function every(periodMs: number, signal: AbortSignal, task: () => Promise<void>, options: { immediately?: boolean } = {}): void {
  let timer: NodeJS.Timeout | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  const schedule = (delayMs: number): void => {
    if (signal.aborted) return;
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  };
  const tick = async (): Promise<void> => {
    const started = Date.now();
    await task();
    schedule(Math.max(0, periodMs - (Date.now() - started)));
  };
  schedule(options.immediately ? 0 : periodMs);
}
