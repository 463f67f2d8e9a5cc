/** Outcome of parsing one user-written value: the value, or what is wrong with it (no exceptions). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function bad<T = never>(problem: string): Parsed<T> {
  return { ok: false, problem };
}
