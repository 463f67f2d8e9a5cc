import { parseTokenFile, TokenFileError } from './tokens';

describe('token file', () => {
  it('reads kube-apiserver token lines with quoted groups, skipping blanks and comments', () => {
    const tokens = parseTokenFile('# operators\nabc123,alice,1001,"system:masters,ops"\n\ndef456,bob,1002\n', 'tokens.csv');
    expect(tokens.get('abc123')).toEqual({ name: 'alice', groups: ['system:masters', 'ops'] });
    expect(tokens.get('def456')).toEqual({ name: 'bob', groups: [] });
  });

  it('refuses malformed lines and duplicates, naming the line', () => {
    expect(() => parseTokenFile('onlytoken\n', 'f.csv')).toThrow(new TokenFileError('f.csv:1: expected token,user,uid[,"group1,group2"]'));
    expect(() => parseTokenFile('t,a,1\nt,b,2\n', 'f.csv')).toThrow(/f.csv:2: this token is already listed/);
  });
});
