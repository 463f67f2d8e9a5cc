/** Polls until `check` holds, failing with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 3000, what = 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Like eventually, for checks that must await something (a metric). */
export async function eventuallyAsync(check: () => Promise<boolean>, timeoutMs = 3000, what = 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
