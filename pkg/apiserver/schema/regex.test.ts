import { compileRe2 } from './regex';

const matches = (pattern: string, text: string): boolean => {
  const c = compileRe2(pattern);
  if (!c.ok) throw new Error(c.error);
  return c.regex.test(text);
};
const error = (pattern: string): string => {
  const c = compileRe2(pattern);
  return c.ok ? 'compiled' : c.error;
};

describe('RE2 patterns', () => {
  it('match as Go matches them (unanchored search)', () => {
    const cases: [string, string, boolean][] = [
      ['^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$', '*/5 * * * *', true],
      ['^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$', '* * * *', false],
      ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'my-name', true],
      ['[0-9]', 'abc1', true],
      ['(?i)^kube', 'KUBE-system', true],
      ['^a(?i:b)c$', 'aBc', true],
      ['^a(?i:b)c$', 'abC', false],
      ['^[[:alpha:]]+\\z', 'abc', true],
      ['^\\p{Greek}+$', 'αβγ', true],
      ['^\\PL+$', '123', true],
      ['^a.c$', 'a\nc', false],
      ['(?s)^a.c$', 'a\nc', true],
      ['(?m)^b$', 'a\nb\nc', true],
      ['^b$', 'a\nb', false],
      ['^\\Q*.+\\E$', '*.+', true],
      ['^[\\d-]+$', '12-3', true],
      ['^\\s$', '\u00a0', false], // RE2 \s is ASCII only
      ['^x{2,3}$', 'xxxx', false],
      ['a{', 'a{', true], // a brace that is no repetition is a literal
      ['^(?P<year>\\d{4})-(?<month>\\d{2})$', '2024-05', true],
      ['^\\x41\\x{1F600}$', 'A😀', true],
      ['^a*?b$', 'aab', true],
    ];
    for (const [p, text, want] of cases) expect([p, text, matches(p, text)]).toEqual([p, text, want]);
  });

  it('refuses what RE2 refuses, with Go messages', () => {
    expect(error('(?=a)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    expect(error('(?<!a)b')).toBe('error parsing regexp: invalid named capture: `(?<!a)b`');
    expect(error('(a)\\1')).toBe('error parsing regexp: invalid escape sequence: `\\1`');
    expect(error('a**')).toBe('error parsing regexp: invalid nested repetition operator: `**`');
    expect(error('*a')).toBe('error parsing regexp: missing argument to repetition operator: `*`');
    expect(error('(abc')).toBe('error parsing regexp: missing closing ): `(abc`');
    expect(error('abc)')).toBe('error parsing regexp: unexpected ): `abc)`');
    expect(error('[abc')).toBe('error parsing regexp: missing closing ]: `[abc`');
    expect(error('[z-a]')).toBe('error parsing regexp: invalid character class range: `z-a`');
    expect(error('x{1001}')).toBe('error parsing regexp: invalid repeat count: `{1001}`');
    expect(error('\\p{Klingon}')).toBe('error parsing regexp: invalid character class range: `\\p{Klingon}`');
    expect(error('a\\')).toBe('error parsing regexp: trailing backslash at end of expression: ``');
    expect(error('\\e')).toBe('error parsing regexp: invalid escape sequence: `\\e`');
  });
});
