// Change notifications for a 2025-era session: resources/subscribe and resources/unsubscribe
// keep the session's own list of URIs (only the user's own todos and activity log: another
// user's todo is refused exactly like a missing one), and each change of the session's user
// sends notifications/resources/updated for the subscribed URIs it touched, and
// notifications/resources/list_changed, on the session's GET stream. Without an open GET
// stream the SDK has nowhere to send them: they are dropped, as the 2025 protocol allows.
import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
} from '@modelcontextprotocol/server';
import type { ChangeEvent } from '../services/change-feed.ts';
import { MAX_SUBSCRIBED_URIS, staleUris } from './subscribable.ts';

export interface SessionSubscriptionOptions {
  /** Whether the session's user may watch `uri` (subscribable.ts canWatch). */
  canWatch: (uri: string) => Promise<boolean>;
  onerror: (error: Error) => void;
}

/**
 * Adds the subscribe handlers and capability to a session's server, before it is connected;
 * returns what to call with each change of the session's user.
 */
export function addSessionSubscriptions(
  server: McpServer,
  options: SessionSubscriptionOptions,
): (event: ChangeEvent) => void {
  const subscribed = new Set<string>();
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler('resources/subscribe', async (request) => {
    const { uri } = request.params;
    if (subscribed.has(uri)) return {};
    if (subscribed.size >= MAX_SUBSCRIBED_URIS) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `A session may watch at most ${MAX_SUBSCRIBED_URIS} resources; unsubscribe from one first.`,
      );
    }
    if (!(await options.canWatch(uri))) throw new ResourceNotFoundError(uri);
    subscribed.add(uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  const report = (error: unknown) =>
    options.onerror(error instanceof Error ? error : new Error(String(error)));
  return (event) => {
    if (!server.isConnected()) return;
    for (const uri of staleUris(event)) {
      if (subscribed.has(uri)) server.server.sendResourceUpdated({ uri }).catch(report);
    }
    // The resource list names the most recently changed todos: any change reorders it.
    server.server.sendResourceListChanged().catch(report);
  };
}
