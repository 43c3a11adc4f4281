// What our middleware adds to Express requests. Ambient declarations only: nothing is emitted.
import type { RpcSummary } from '../mcp/rpc-body.ts';
import type { Principal } from '../services/auth-service.ts';

declare global {
  namespace Express {
    interface Request {
      /** Set by the request-log middleware from X-Request-Id, or generated. */
      requestId: string;
      /** Set by /api's authentication once a token or session is verified. */
      principal?: Principal;
      /** What authenticated `principal` on /api: a bearer token, or the web app's session cookie. */
      credential?: { kind: 'bearer' | 'session'; token: string };
      /** Set by the pages' session middleware when a person is signed in with a session cookie. */
      webPrincipal?: Principal;
    }
    /** What the request log reads of an answer besides its status (http/request-log.ts). */
    interface Locals {
      /** The problem `type` of a problem+json answer (set by sendProblem). */
      problem?: string;
      /** The RFC 6750 error of a refused /mcp token (invalid_token, insufficient_scope). */
      oauthError?: string;
      /** The code of a JSON-RPC error the /mcp edge answered with itself. */
      rpcError?: number;
      /** The JSON-RPC method of an /mcp request, and the tool, prompt or resource it names. */
      rpc?: RpcSummary;
      /** Set by whoever serves a stream (SSE): its client closing it is how it normally ends. */
      stream?: boolean;
    }
  }
}
