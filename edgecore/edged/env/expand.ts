/**
 * kubelet's `$(VAR)` expansion (k8s.io/kubernetes/third_party/forked/golang/expansion): `$(NAME)` is replaced when
 * NAME is defined, left as written when it is not; `$$` escapes a `$`; any other `$` is literal.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        // Unterminated reference: kept verbatim, as kubelet does.
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = name === '' ? undefined : lookup(name);
      out += value ?? input.slice(i, close + 1);
      i = close + 1;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
