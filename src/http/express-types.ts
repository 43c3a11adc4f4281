// What our middleware adds to Express requests. Ambient declarations only: nothing is emitted.
import type { Principal } from '../services/auth-service.ts';

declare global {
  namespace Express {
    interface Request {
      /** Set by the request-log middleware from X-Request-Id, or generated. */
      requestId: string;
      /** Set by the bearer middleware once a token is verified. */
      principal?: Principal;
      /** Set by the pages' session middleware when a person is signed in with a session cookie. */
      webPrincipal?: Principal;
    }
  }
}
