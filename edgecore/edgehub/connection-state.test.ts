import { pino } from 'pino';
import { ConnectionStateMachine, type Transition } from './connection-state';

describe('connection state machine', () => {
  const setup = (): { machine: ConnectionStateMachine; seen: Transition[]; lines: Record<string, unknown>[] } => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const seen: Transition[] = [];
    return { machine: new ConnectionStateMachine(log, (change) => seen.push(change)), seen, lines };
  };

  it('walks the lifecycle, logging each move once with its reason and server', () => {
    const { machine, seen, lines } = setup();
    machine.transition('connecting', { reason: 'dialling a:1', server: 'a:1' });
    machine.transition('connected', { reason: 'up', server: 'a:1' });
    machine.transition('disconnected', { reason: 'cloud died', server: 'a:1' });
    machine.transition('stopped', { reason: 'shutdown' });
    expect(seen.map(({ from, to }) => `${from}->${to}`)).toEqual([
      'disconnected->connecting',
      'connecting->connected',
      'connected->disconnected',
      'disconnected->stopped',
    ]);
    expect(lines.map((l) => [l['level'], l['msg']])).toEqual([
      [30, 'cloud connection disconnected -> connecting: dialling a:1'],
      [30, 'cloud connection connecting -> connected: up'],
      [40, 'cloud connection connected -> disconnected: cloud died'], // a lost connection is a warning
      [30, 'cloud connection disconnected -> stopped: shutdown'],
    ]);
    expect(lines[0]).toMatchObject({ server: 'a:1', from: 'disconnected', to: 'connecting' });
  });

  it('refuses moves the lifecycle does not allow, and nothing leaves stopped', () => {
    const { machine, seen } = setup();
    expect(() => machine.transition('connected', { reason: 'skip' })).toThrow(
      'edgehub connection cannot go from disconnected to connected (skip)',
    );
    machine.transition('stopped', { reason: 'shutdown' });
    expect(() => machine.transition('connecting', { reason: 'again' })).toThrow(/from stopped to connecting/);
    expect(seen).toHaveLength(1);
    expect(machine.state).toBe('stopped');
  });

  it('uses the level the caller asks for and logs the error code without a stack', () => {
    const { machine, lines } = setup();
    machine.transition('connecting', { reason: 'dialling' });
    const error = Object.assign(new Error('bad cert'), { code: 'CERTIFICATES' });
    machine.transition('disconnected', { reason: 'bad cert', error, level: 'error' });
    expect(lines[1]).toMatchObject({ level: 50, code: 'CERTIFICATES' });
    expect(lines[1]).not.toHaveProperty('err');
  });
});
