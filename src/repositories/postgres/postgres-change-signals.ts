// Changes announced between processes with PostgreSQL's LISTEN/NOTIFY. Writes announce their
// activity entry with pg_notify() inside their own transaction (recordEntry), so PostgreSQL
// delivers an announcement only after the commit, and announcements of different transactions
// in commit order. Each process listens on one dedicated connection (a pooled one would be
// handed to other queries and could not keep LISTENing), and reconnects when it is lost.
import pg from 'pg';
import type { ActivityRef, ChangeSignals } from '../types.ts';

const CHANNEL = 'todos_changes';

/**
 * The SQL that announces an entry: `<entry id> <user id>`, ids only (about 50 bytes, where
 * NOTIFY takes up to 8,000), never the todo itself.
 */
export const announcement = (entryId: string, userId: string) =>
  `pg_notify('${CHANNEL}', ${entryId} || ' ' || ${userId})`;

const PAYLOAD = /^(\d{1,15}) (.+)$/s;

export interface ChangeSignalOptions {
  url: string;
  /** A lost connection or a failed reconnection: reported, never thrown. */
  onError: (error: Error) => void;
  /** First and longest wait before reconnecting; it doubles on each failure. */
  reconnectMs?: { first: number; longest: number };
}

export class PostgresChangeSignals implements ChangeSignals {
  readonly #options: ChangeSignalOptions;
  readonly #reconnect: { first: number; longest: number };
  #receiver: Parameters<ChangeSignals['listen']>[0] | undefined;
  #client: pg.Client | undefined;
  #wait: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #pending: ActivityRef[] = [];

  constructor(options: ChangeSignalOptions) {
    this.#options = options;
    this.#reconnect = options.reconnectMs ?? { first: 100, longest: 5_000 };
    this.#wait = this.#reconnect.first;
  }

  listen(receiver: Parameters<ChangeSignals['listen']>[0]): void {
    if (this.#receiver) throw new Error('ChangeSignals.listen is called once per process');
    this.#receiver = receiver;
    void this.#connect(false);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(afterLoss: boolean): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#options.url,
      application_name: 'todos-changes',
      // An idle LISTEN connection dropped by a firewall or NAT is noticed, not waited on forever.
      keepAlive: true,
    });
    client.on('notification', (message) => this.#announced(message.payload));
    client.on('error', (error) => {
      this.#options.onError(error);
      this.#lost(client);
    });
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      this.#options.onError(error instanceof Error ? error : new Error(String(error)));
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.#retry();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#wait = this.#reconnect.first;
    if (afterLoss) this.#receiver?.lost();
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    this.#retry();
  }

  /** Connects again after a wait; whatever was announced meanwhile is lost to this process. */
  #retry(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(true), this.#wait);
    this.#timer.unref();
    this.#wait = Math.min(this.#wait * 2, this.#reconnect.longest);
  }

  /** Announcements that arrive together (one read from the socket) reach the receiver together. */
  #announced(payload: string | undefined): void {
    const match = PAYLOAD.exec(payload ?? '');
    if (!match?.[2]) return;
    if (this.#pending.length === 0) setImmediate(() => this.#flush());
    this.#pending.push({ id: Number(match[1]), userId: match[2] });
  }

  #flush(): void {
    const refs = this.#pending;
    this.#pending = [];
    if (!this.#closed) this.#receiver?.announced(refs);
  }
}
