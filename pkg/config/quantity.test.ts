import { byteSizeInput, parseByteQuantity } from './quantity';

describe('parseByteQuantity', () => {
  it.each([
    ['12Mi', 12 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1.5Ki', 1536],
    ['3145728', 3_145_728],
    ['500k', 500_000],
    ['1.1k', 1100],
    ['2M', 2_000_000],
    ['1e3', 1000],
    ['1E6', 1_000_000],
    ['0', 0],
    ['.5Ki', 512],
    ['+1Ki', 1024],
    ['-1Ki', -1024],
  ])('reads %p as %p bytes', (text, bytes) => {
    expect(parseByteQuantity(text)).toEqual({ ok: true, value: bytes });
  });

  it.each(['12MB', '12 Mi', 'Mi', '', '1.2.3', '12mi', '1K', 'twelve'])('refuses %p', (text) => {
    expect(parseByteQuantity(text)).toEqual({ ok: false, problem: 'not a byte size' });
  });

  it('refuses fractions of a byte instead of rounding', () => {
    expect(parseByteQuantity('0.1Ki')).toEqual({ ok: false, problem: 'not a whole number of bytes' });
    expect(parseByteQuantity('1.5')).toEqual({ ok: false, problem: 'not a whole number of bytes' });
    expect(parseByteQuantity('1e-3')).toEqual({ ok: false, problem: 'not a whole number of bytes' });
  });

  it('refuses sizes beyond exact integers', () => {
    expect(parseByteQuantity('8Ei')).toEqual({ ok: false, problem: 'too large' });
  });
});

describe('byteSizeInput', () => {
  it('takes bare numbers as bytes', () => {
    expect(byteSizeInput(4096)).toEqual({ ok: true, value: 4096 });
    expect(byteSizeInput(1.5)).toEqual({ ok: false, problem: 'not a whole number of bytes' });
    expect(byteSizeInput(true)).toEqual({ ok: false, problem: 'not a byte size' });
  });
});
