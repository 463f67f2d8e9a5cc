import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { LinkProxy } from './link-proxy';

let echo: Server;
let proxy: LinkProxy;

beforeEach(async () => {
  echo = createServer((socket) => socket.on('error', () => undefined).pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await LinkProxy.start('127.0.0.1', (echo.address() as AddressInfo).port);
});

afterEach(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

function open(): Promise<{ socket: Socket; received: () => string }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect(proxy.port, '127.0.0.1', () => resolve({ socket, received: () => data }));
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('error', reject);
  });
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await settle(10);
  }
}

test('pass forwards both ways and counts the bytes', async () => {
  const { socket, received } = await open();
  socket.write('hello');
  await until(() => received() === 'hello');
  expect(proxy.bytes).toEqual({ up: 5, down: 5 });
  socket.destroy();
});

test('stall holds bytes and delivers them, in order, when the link comes back', async () => {
  const { socket, received } = await open();
  await until(() => proxy.openConnections === 1);
  proxy.setMode('stall');
  socket.write('one,');
  socket.write('two');
  await settle(150);
  expect(received()).toBe('');
  proxy.setMode('pass');
  await until(() => received() === 'one,two');
  socket.destroy();
});

test('drop loses bytes without closing the connection', async () => {
  const { socket, received } = await open();
  await until(() => proxy.openConnections === 1);
  proxy.setMode('drop');
  socket.write('lost');
  await settle(150);
  proxy.setMode('pass');
  socket.write('kept');
  await until(() => received() === 'kept');
  expect(socket.destroyed).toBe(false);
  socket.destroy();
});

test('reset kills open connections; refuse closes new ones', async () => {
  const { socket } = await open();
  await until(() => proxy.openConnections === 1);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  proxy.reset();
  await closed;
  proxy.setMode('refuse');
  const refused = connect(proxy.port, '127.0.0.1');
  refused.on('error', () => undefined);
  await new Promise<void>((resolve) => refused.on('close', () => resolve()));
  expect(proxy.connections).toBe(2);
});
