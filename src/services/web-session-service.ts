import type { User, WebSessionRepository } from '../repositories/types.ts';
import { type RegisterInput, SCOPES } from './auth-schemas.ts';
import type { AuthService, Principal } from './auth-service.ts';
import { NotFoundError } from './errors.ts';
import { hashSecret, newSecret } from './secrets.ts';

export interface WebSessionServiceDeps {
  auth: AuthService;
  sessions: WebSessionRepository;
  ttlMs: number;
  now?: () => number;
}

export interface StartedSession {
  /** The cookie value: shown to the browser once, stored only as a hash. */
  token: string;
  user: User;
  expiresAt: number;
}

/**
 * People signed in on our own pages (the OAuth sign-in and consent pages today, the web app
 * next). Sign-in is AuthService's password check, with its throttles and enumeration safety.
 */
export class WebSessionService {
  readonly #deps: WebSessionServiceDeps;
  readonly #now: () => number;

  constructor(deps: WebSessionServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async signIn(
    credentials: { username: string; password: string },
    clientAddress: string,
  ): Promise<StartedSession> {
    const user = await this.#deps.auth.verifyCredentials(credentials, clientAddress);
    return this.#start(user);
  }

  /** Creates the account under the same rules as POST /api/auth/register, then signs it in. */
  async signUp(input: RegisterInput, clientAddress: string): Promise<StartedSession> {
    const user = await this.#deps.auth.register(input, clientAddress);
    return this.#start(user);
  }

  /** The person behind a session cookie, with every scope; undefined when it is unknown or ended. */
  async principal(token: string): Promise<Principal | undefined> {
    const session = await this.#deps.sessions.findActive(
      hashSecret(token),
      new Date(this.#now()).toISOString(),
    );
    if (!session) return undefined;
    let user: User;
    try {
      user = await this.#deps.auth.getUser(session.userId);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    return {
      kind: 'user',
      userId: user.id,
      username: user.username,
      scopes: [...SCOPES],
      tokenId: session.idHash,
      expiresAt: Math.floor(Date.parse(session.expiresAt) / 1000),
    };
  }

  async signOut(token: string): Promise<void> {
    await this.#deps.sessions.delete(hashSecret(token));
  }

  async #start(user: User): Promise<StartedSession> {
    const now = this.#now();
    const token = newSecret();
    const expiresAt = now + this.#deps.ttlMs;
    await this.#deps.sessions.purgeExpired(new Date(now).toISOString());
    await this.#deps.sessions.insert({
      idHash: hashSecret(token),
      userId: user.id,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
    });
    return { token, user, expiresAt };
  }
}
