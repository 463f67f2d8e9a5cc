import { SelectorError } from './errors';
import { EVERYTHING, NOTHING, labelSelectorFromSet, labelSelectorFromStructured, parseLabelSelector } from './label-selector';

function parseError(selector: string): string {
  try {
    parseLabelSelector(selector);
  } catch (e) {
    if (e instanceof SelectorError && e.code === 'INVALID_LABEL_SELECTOR') return e.message;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(selector)} to be rejected`);
}

const KEY_REGEX_ERROR =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric " +
  "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('parseLabelSelector', () => {
  const s = parseLabelSelector('a=b,c!=d,e in (x,y),f notin (z),g,!h');

  it('parses every operator, keeping requirements sorted by key', () => {
    expect(s.requirements).toEqual([
      { key: 'a', operator: '=', values: ['b'] },
      { key: 'c', operator: '!=', values: ['d'] },
      { key: 'e', operator: 'in', values: ['x', 'y'] },
      { key: 'f', operator: 'notin', values: ['z'] },
      { key: 'g', operator: 'exists', values: [] },
      { key: 'h', operator: '!', values: [] },
    ]);
    expect(parseLabelSelector('a==b').requirements).toEqual([{ key: 'a', operator: '==', values: ['b'] }]);
    expect(parseLabelSelector('n>5,m<10').requirements).toEqual([
      { key: 'm', operator: 'lt', values: ['10'] },
      { key: 'n', operator: 'gt', values: ['5'] },
    ]);
  });

  it('matches labels as the server does', () => {
    const base = { a: 'b', e: 'x', g: '' };
    expect(s.matches(base)).toBe(true);
    expect(s.matches({ ...base, c: 'd' })).toBe(false);
    expect(s.matches({ ...base, c: 'other' })).toBe(true);
    expect(s.matches({ ...base, e: 'q' })).toBe(false);
    expect(s.matches({ ...base, f: 'z' })).toBe(false);
    expect(s.matches({ a: 'b', e: 'x' })).toBe(false);
    expect(s.matches({ ...base, h: '1' })).toBe(false);
    expect(s.matches(undefined)).toBe(false);
    expect(parseLabelSelector('!a,b notin (x)').matches(undefined)).toBe(true);
    expect(parseLabelSelector('n>5').matches({ n: '6' })).toBe(true);
    expect(parseLabelSelector('n>5').matches({ n: 'six' })).toBe(false);
    expect(parseLabelSelector('toString').matches({})).toBe(false);
  });

  it('accepts spaces, empty values and keywords as values', () => {
    expect(parseLabelSelector('  x in ( a , , b ) , y = ').requirements).toEqual([
      { key: 'x', operator: 'in', values: ['', 'a', 'b'] },
      { key: 'y', operator: '=', values: [''] },
    ]);
    expect(parseLabelSelector('x in ()').requirements[0].values).toEqual(['']);
    expect(parseLabelSelector('x in (in,notin)').requirements[0].values).toEqual(['in', 'notin']);
    expect(parseLabelSelector('example.com/tier=fe').matches({ 'example.com/tier': 'fe' })).toBe(true);
  });

  it('selects everything when empty', () => {
    expect(parseLabelSelector('').empty).toBe(true);
    expect(parseLabelSelector('   ').matches({ a: 'b' })).toBe(true);
  });

  it('prints the canonical form', () => {
    expect(parseLabelSelector('b=2, a in (y,x),!c').toString()).toBe('a in (x,y),b=2,!c');
  });

  it('reports the token it could not use, in the server words', () => {
    expect(parseError('a in b')).toBe("unable to parse requirement: found 'b' expected: '('");
    expect(parseError('a b')).toBe("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    expect(parseError('a=b,,c')).toBe("found ',', expected: identifier after ','");
    expect(parseError('a=b c')).toBe("found 'c', expected: ',' or 'end of string'");
    expect(parseError('=a')).toBe("found '=', expected: !, identifier, or 'end of string'");
    expect(parseError('x in (a b)')).toBe("unable to parse requirement: found 'b', expected: ',' or ')'");
    expect(parseError('x in (a')).toBe("unable to parse requirement: found '', expected: ',' or ')'");
    expect(parseError('!a=b')).toBe("found '=', expected: ',' or 'end of string'");
    expect(parseError('a=(b)')).toBe("unable to parse requirement: found '(', expected: identifier");
  });

  it('validates keys and values like NewRequirement', () => {
    expect(parseError('foo$bar=x')).toBe(`unable to parse requirement: <nil>: Invalid value: "foo$bar": ${KEY_REGEX_ERROR}`);
    expect(parseError('a/b/c')).toMatch(/^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must consist/);
    expect(parseError('Example.com/x')).toMatch(
      /^unable to parse requirement: <nil>: Invalid value: "Example.com\/x": prefix part a lowercase RFC 1123 subdomain must/,
    );
    expect(parseError('app=bad$value')).toBe(
      'unable to parse requirement: values[0][app]: Invalid value: "bad$value": a valid label must be an empty string or ' +
        "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
        "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
    expect(parseError('a>x')).toBe(
      `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
    );
    expect(parseError(`k=${'v'.repeat(64)}`)).toMatch(/^unable to parse requirement: values\[0\]\[k\]: Invalid value: "v+": must be no more than 63 characters$/);
  });
});

describe('labelSelectorFromStructured', () => {
  it('combines matchLabels and matchExpressions', () => {
    const sel = labelSelectorFromStructured({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['z9'] },
        { key: 'team', operator: 'Exists', values: [] },
      ],
    });
    expect(sel.matches({ app: 'web', tier: 'fe', team: 'x' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'fe', team: 'x', canary: 'y' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'fe', team: 'x', zone: 'z9' })).toBe(false);
    expect(sel.toString()).toBe('app=web,!canary,team,tier in (be,fe),zone notin (z9)');
  });

  it('treats a missing selector as nothing and an empty one as everything', () => {
    expect(labelSelectorFromStructured(undefined)).toBe(NOTHING);
    expect(labelSelectorFromStructured(null).matches({})).toBe(false);
    expect(labelSelectorFromStructured({})).toBe(EVERYTHING);
    expect(labelSelectorFromStructured({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' })).toBe(true);
  });

  it('rejects bad operators, keys and value counts', () => {
    const err = (sel: Parameters<typeof labelSelectorFromStructured>[0]): string => {
      try {
        labelSelectorFromStructured(sel);
      } catch (e) {
        return (e as SelectorError).message;
      }
      return 'accepted';
    };
    expect(err({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toBe('"Gt" is not a valid label selector operator');
    expect(err({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toBe(
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(err({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toBe(
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    );
    expect(err({ matchLabels: { 'bad key': 'x' } })).toBe(`key: Invalid value: "bad key": ${KEY_REGEX_ERROR}`);
  });
});

describe('labelSelectorFromSet', () => {
  it('requires every pair and selects everything when empty', () => {
    const sel = labelSelectorFromSet({ app: 'web', tier: 'fe' });
    expect(sel.matches({ app: 'web', tier: 'fe', extra: '1' })).toBe(true);
    expect(sel.matches({ app: 'web' })).toBe(false);
    expect(sel.toString()).toBe('app=web,tier=fe');
    expect(labelSelectorFromSet({}).empty).toBe(true);
    expect(labelSelectorFromSet(undefined).matches(undefined)).toBe(true);
  });
});
