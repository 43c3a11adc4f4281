import type {
  OAuthConsentRepository,
  OAuthGrantRepository,
  OAuthGrantView,
} from '../../repositories/types.ts';
import type { Principal } from '../auth-service.ts';
import { NotFoundError } from '../errors.ts';
import { assertFullSignIn } from '../full-sign-in.ts';

export interface OAuthGrantServiceDeps {
  grants: OAuthGrantRepository;
  consents: OAuthConsentRepository;
  now?: () => number;
}

/** What a person granted to OAuth clients, seen and withdrawn by that person. */
export class OAuthGrantService {
  readonly #deps: OAuthGrantServiceDeps;
  readonly #now: () => number;

  constructor(deps: OAuthGrantServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async list(caller: Principal): Promise<OAuthGrantView[]> {
    assertFullSignIn(caller, 'manage the applications you allowed');
    return this.#deps.grants.listActive(caller.userId, new Date(this.#now()).toISOString());
  }

  /**
   * Ends the grant: its refresh tokens at once, its access tokens on their next request
   * (AuthService checks the grant on every one). The remembered consent goes too, so the
   * client must ask the person again.
   */
  async revoke(caller: Principal, id: string): Promise<void> {
    assertFullSignIn(caller, 'manage the applications you allowed');
    const grant = await this.#deps.grants.find(id);
    if (!grant || grant.userId !== caller.userId) throw new NotFoundError('Grant', id);
    await this.#deps.grants.revoke(caller.userId, id, new Date(this.#now()).toISOString());
    await this.#deps.consents.forget(caller.userId, grant.clientId);
  }
}
