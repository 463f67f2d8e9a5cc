import { Inbox } from './inbox';

describe('Inbox', () => {
  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new Inbox(0)).toThrow(RangeError);
    expect(() => new Inbox(1.5)).toThrow(RangeError);
  });

  it('hands items out in FIFO order across wrap-around', async () => {
    const inbox = new Inbox<number>(3);
    const signal = new AbortController().signal;
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      await inbox.push(i);
      if (i % 2 === 1) out.push(await inbox.take(signal), await inbox.take(signal));
    }
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps blocked writers in order, and later pushes queue behind them', async () => {
    const inbox = new Inbox<string>(1);
    const signal = new AbortController().signal;
    await inbox.push('a');
    const b = inbox.push('b');
    expect(inbox.tryPush('c')).toBe(false); // 'b' is waiting ahead of it
    const c = inbox.push('c');
    expect(inbox.blocked).toBe(2);
    expect(await inbox.take(signal)).toBe('a');
    await b;
    expect(await inbox.take(signal)).toBe('b');
    await c;
    expect(await inbox.take(signal)).toBe('c');
    expect(inbox.length).toBe(0);
  });

  it('wakes a waiting reader directly', async () => {
    const inbox = new Inbox<string>(1);
    const taken = inbox.take(new AbortController().signal);
    await inbox.push('x');
    await expect(taken).resolves.toBe('x');
  });

  it('lets an aborted reader go and allows a new one', async () => {
    const inbox = new Inbox<string>(1);
    const controller = new AbortController();
    const taken = inbox.take(controller.signal);
    controller.abort(new Error('stop'));
    await expect(taken).rejects.toThrow('stop');
    void inbox.push('y');
    await expect(inbox.take(new AbortController().signal)).resolves.toBe('y');
  });

  it('refuses a second concurrent reader', async () => {
    const inbox = new Inbox<string>(1);
    void inbox.take(new AbortController().signal).catch(() => undefined);
    await expect(inbox.take(new AbortController().signal)).rejects.toThrow(/already has a reader/);
    inbox.close(new Error('closed'));
  });

  it('close fails writers and the reader and returns what was queued', async () => {
    const inbox = new Inbox<string>(1);
    await inbox.push('kept');
    const blocked = inbox.push('blocked');
    const dropped = inbox.close(new Error('shutting down'));
    expect(dropped).toEqual(['kept']);
    await expect(blocked).rejects.toThrow('shutting down');
    await expect(inbox.push('late')).rejects.toThrow('shutting down');
    await expect(inbox.take(new AbortController().signal)).rejects.toThrow('shutting down');
  });
});
