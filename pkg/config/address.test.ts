import { formatHostPort, isHost, parseHostPort, parsePort } from './address';

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:9091', { host: '127.0.0.1', port: 9091 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['cloudcore.example.com:10000', { host: 'cloudcore.example.com', port: 10000 }],
    ['[::1]:10550', { host: '::1', port: 10550 }],
    ['[2001:db8::5]:443', { host: '2001:db8::5', port: 443 }],
  ])('reads %p', (text, address) => {
    expect(parseHostPort(text)).toEqual({ ok: true, value: address });
    expect(formatHostPort(address)).toBe(text);
  });

  it.each([
    ['127.0.0.1', 'not a host:port address'],
    ['::1:80', 'not a host:port address'],
    ['127.0.0.1:', 'not a host:port address'],
    [':9091', 'the host is missing (0.0.0.0 means every address)'],
    ['bad_host:80', 'not a valid host'],
    ['[not-ip]:80', 'not a valid host'],
    ['127.0.0.1:65536', 'not a valid port'],
  ])('refuses %p: %s', (text, problem) => {
    expect(parseHostPort(text)).toEqual({ ok: false, problem });
  });
});

describe('isHost and parsePort', () => {
  it('accepts IPs and RFC 1123 names only', () => {
    expect(['10.0.0.1', '::', 'node-1', 'a.b.c'].every(isHost)).toBe(true);
    expect(['', '-a', 'a..b', 'a_b', `${'a'.repeat(64)}.com`].some(isHost)).toBe(false);
  });

  it('accepts 0..65535', () => {
    expect(parsePort(0)).toEqual({ ok: true, value: 0 });
    expect(parsePort('8080')).toEqual({ ok: true, value: 8080 });
    expect(parsePort(-1).ok).toBe(false);
    expect(parsePort(1.5).ok).toBe(false);
  });
});
