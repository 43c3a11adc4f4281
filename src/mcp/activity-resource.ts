// todo://activity: the user's latest changes as JSON, so an agent can answer "what did you
// change yesterday?" by reading a resource, without another tool in every model's context.
import type { McpServer } from '@modelcontextprotocol/server';
import type { McpContext } from './mcp-context.ts';
import { ACTIVITY_URI } from './subscribable.ts';

const RECENT = 100;

export function registerActivityResource(server: McpServer, mcp: McpContext): void {
  server.registerResource(
    'activity',
    ACTIVITY_URI,
    {
      title: 'Recent changes',
      description:
        `The ${RECENT} latest changes to your todos, newest first, as JSON: when, which todo, what happened ` +
        '(created, updated with the names of the fields changed, completed, reopened, deleted), its new version, ' +
        'the interface (web, api, mcp) and the agent token acting, if any. Read a todo with get_todo_by_id.',
      mimeType: 'application/json',
    },
    async (uri) => {
      try {
        const { items } = await mcp.activity.list(mcp.userId, { limit: RECENT });
        return {
          contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ items }) }],
        };
      } catch (error) {
        mcp.logger.error({ userId: mcp.userId, errorName: (error as Error)?.name }, 'activity read failed');
        throw new Error('The activity log could not be read. Try again later.');
      }
    },
  );
}
