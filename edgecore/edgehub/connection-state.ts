/**
 * The connection lifecycle as an explicit state machine. Every change goes through `transition`, which refuses moves
 * the lifecycle does not allow, logs the move with its reason, and tells the listener (which announces the change to
 * the edge modules, flushes or fails upstream work, and updates the state gauge).
 *
 *   disconnected -> connecting -> connected -> disconnected -> connecting -> ...
 *                   connecting -> disconnected            (attempt failed)
 *   any -> stopped                                         (shutdown; final)
 */
import type { Logger } from '../../pkg/log';

export const CONNECTION_STATES = ['disconnected', 'connecting', 'connected', 'stopped'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

const ALLOWED: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  disconnected: ['connecting', 'stopped'],
  connecting: ['connected', 'disconnected', 'stopped'],
  connected: ['disconnected', 'stopped'],
  stopped: [],
};

export interface TransitionDetails {
  /** Why, for people: what happened or what is being attempted. */
  reason: string;
  /** The cloudcore address involved, when there is one. */
  server?: string;
  /** What ended the connection or attempt, when something did. */
  error?: Error;
  /** Log level for this move when it needs more attention than usual (e.g. a certificate problem). */
  level?: 'info' | 'warn' | 'error';
}

export interface Transition extends TransitionDetails {
  from: ConnectionState;
  to: ConnectionState;
}

export class ConnectionStateMachine {
  private current: ConnectionState = 'disconnected';

  constructor(
    private readonly log: Logger,
    private readonly onTransition: (change: Transition) => void,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  /** Moves to `to`; throws on a move the lifecycle does not allow (a bug, not a runtime condition). */
  transition(to: ConnectionState, details: TransitionDetails): void {
    const from = this.current;
    if (!ALLOWED[from].includes(to)) {
      throw new Error(`edgehub connection cannot go from ${from} to ${to} (${details.reason})`);
    }
    this.current = to;
    const change: Transition = { from, to, ...details };
    // A lost connection is worth a warning; the other moves are routine unless the caller says otherwise.
    const level = details.level ?? (from === 'connected' && to === 'disconnected' ? 'warn' : 'info');
    // The reason already carries the error's message; its code is enough to group lines by (no stack per retry).
    const { error, level: _level, ...fields } = change;
    const code = (error as { code?: unknown } | undefined)?.code;
    this.log[level]({ ...fields, ...(code === undefined ? {} : { code }) }, `cloud connection ${from} -> ${to}: ${details.reason}`);
    this.onTransition(change);
  }
}
