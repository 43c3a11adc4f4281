// Connections that outlive the request that authenticated them: MCP listen streams, 2025-era
// GET streams and sessions, and server-sent events on /api. Each is registered with its user
// and its credential (a bearer token, or the web app's session cookie), so that
// - a revoked token, an ended session or a deleted user ends them: every open connection's
//   credential is checked again on a heartbeat (the check every request gets), which works
//   however many processes share the database; a revocation or sign-out in this process asks
//   for the same check at once;
// - shutdown ends the streams at the start of the drain (they never finish on their own),
//   while sessions wait for their requests in progress.
import type { Logger } from 'pino';
import type { AuthService, Principal } from '../services/auth-service.ts';
import { UnauthorizedError } from '../services/errors.ts';
import type { Audience } from '../services/token-codec.ts';

/** Where a connection's credential is accepted: a bearer token's audience, or our pages' session. */
export type CredentialAudience = Audience | 'web-session';

export interface LiveConnection {
  readonly userId: string;
  /**
   * The bearer token it was last authenticated with (an MCP session takes that of each request
   * it serves), or the web app's session cookie.
   */
  token: string;
  readonly audience: CredentialAudience;
  /** A stream is ended at the start of a shutdown; a session after its requests in progress. */
  readonly kind: 'stream' | 'session';
  /** Ends it (idempotent); the owner removes it from the registry when it has ended. */
  close(): void;
}

/** Why a wait ended at shutdown: the SDK passes this reason on to the caller (a tool error). */
const SHUTDOWN_REASON =
  'the server is restarting, so it stopped waiting for an answer and changed nothing. Try again in a moment.';

export interface LiveConnectionsOptions {
  auth: AuthService;
  /** Checks the web app's session cookies (WebSessionService.principal). */
  webSessions: { principal(token: string): Promise<Principal | undefined> };
  logger: Logger;
  /** How often every open connection's token is checked again. */
  recheckEveryMs: number;
}

export class LiveConnections {
  readonly #byUser = new Map<string, Set<LiveConnection>>();
  readonly #options: LiveConnectionsOptions;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #drain = new AbortController();
  #sweeping = false;

  constructor(options: LiveConnectionsOptions) {
    this.#options = options;
    this.#heartbeat = setInterval(() => void this.#sweep(), options.recheckEveryMs).unref();
  }

  /** False once shutdown has begun: new streams are refused. */
  get accepting(): boolean {
    return !this.#drain.signal.aborted;
  }

  /**
   * Aborted when the drain starts: work that waits on a person (a 2025-era session's tool call
   * waiting for the user to confirm) ends then instead of holding the shutdown.
   */
  get drained(): AbortSignal {
    return this.#drain.signal;
  }

  /** Registers a connection; the returned function removes it once it has ended. */
  add(connection: LiveConnection): () => void {
    let own = this.#byUser.get(connection.userId);
    if (!own) {
      own = new Set();
      this.#byUser.set(connection.userId, own);
    }
    own.add(connection);
    return () => this.#remove(connection);
  }

  /**
   * Authenticates the token of every open connection of `userId` (of everyone when omitted)
   * again, and closes those whose token no longer passes. Each distinct token is checked once.
   */
  async recheck(userId?: string): Promise<void> {
    const connections =
      userId === undefined
        ? [...this.#byUser.values()].flatMap((own) => [...own])
        : [...(this.#byUser.get(userId) ?? [])];
    const verdicts = new Map<string, Promise<boolean>>();
    await Promise.all(
      connections.map(async (connection) => {
        const key = `${connection.audience} ${connection.token}`;
        let verdict = verdicts.get(key);
        if (!verdict) {
          verdict = this.#stillValid(connection);
          verdicts.set(key, verdict);
        }
        if (await verdict) return;
        this.#remove(connection);
        connection.close();
      }),
    );
  }

  /** Starts the drain: refuses new streams and ends every open one. Sessions stay. */
  closeStreams(): void {
    this.#drain.abort(SHUTDOWN_REASON);
    for (const own of this.#byUser.values())
      for (const connection of own) if (connection.kind === 'stream') connection.close();
  }

  /** Stops the heartbeat. */
  close(): void {
    clearInterval(this.#heartbeat);
  }

  async #sweep(): Promise<void> {
    if (this.#sweeping) return; // a slow database must not pile up checks
    this.#sweeping = true;
    try {
      await this.recheck();
    } finally {
      this.#sweeping = false;
    }
  }

  async #stillValid(connection: LiveConnection): Promise<boolean> {
    try {
      const principal =
        connection.audience === 'web-session'
          ? await this.#options.webSessions.principal(connection.token)
          : await this.#options.auth.authenticate(connection.token, connection.audience);
      return principal?.userId === connection.userId;
    } catch (error) {
      if (error instanceof UnauthorizedError) return false;
      // The check itself failed (the database, say): keep the connection, try again next beat.
      this.#options.logger.warn({ errorName: (error as Error)?.name }, 'live connection check failed');
      return true;
    }
  }

  #remove(connection: LiveConnection): void {
    const own = this.#byUser.get(connection.userId);
    if (!own?.delete(connection) || own.size > 0) return;
    this.#byUser.delete(connection.userId);
  }
}
