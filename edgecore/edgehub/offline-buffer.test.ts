import { OfflineBuffer } from './offline-buffer';

describe('offline buffer (drop oldest)', () => {
  it('keeps order and drops the oldest beyond maxMessages', () => {
    const dropped: string[] = [];
    const buffer = new OfflineBuffer<string>(3, 1000, (value) => dropped.push(value));
    for (const value of ['a', 'b', 'c', 'd', 'e']) buffer.push(value, 10);
    expect(dropped).toEqual(['a', 'b']);
    expect(buffer.clear()).toEqual(['c', 'd', 'e']);
    expect(buffer.length).toBe(0);
    expect(buffer.bytes).toBe(0);
  });

  it('drops the oldest beyond maxBytes, and a single entry over maxBytes itself', () => {
    const dropped: string[] = [];
    const buffer = new OfflineBuffer<string>(100, 100, (value) => dropped.push(value));
    buffer.push('a', 40);
    buffer.push('b', 40);
    buffer.push('c', 40);
    expect(dropped).toEqual(['a']);
    expect(buffer.bytes).toBe(80);
    buffer.push('huge', 101);
    expect(dropped).toEqual(['a', 'huge']);
    expect(buffer.peek()?.value).toBe('b');
    expect(buffer.shift()?.value).toBe('b');
    expect(buffer.length).toBe(1);
  });

  it('stays correct across many pushes and shifts (compaction)', () => {
    const buffer = new OfflineBuffer<number>(5000, Infinity, () => undefined);
    for (let i = 0; i < 3000; i++) buffer.push(i, 1);
    for (let i = 0; i < 2500; i++) expect(buffer.shift()?.value).toBe(i);
    for (let i = 3000; i < 3010; i++) buffer.push(i, 1);
    expect(buffer.length).toBe(510);
    expect(buffer.clear()[0]).toBe(2500);
  });
});
