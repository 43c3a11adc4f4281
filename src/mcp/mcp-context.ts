import type { ClientCapabilities } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import type { ActivityService } from '../services/activity-service.ts';
import type { RateBudget } from '../services/rate-limiter.ts';
import type { TodoService } from '../services/todo-service.ts';

/** What every tool, resource and prompt of one McpServer instance works with. */
export interface McpContext {
  todos: TodoService;
  activity: ActivityService;
  /** The caller, established by the bearer middleware before the server was built. */
  userId: string;
  callLimiter: RateBudget;
  logger: Logger;
  /** What the connected client declared; undefined when the connection cannot tell (stateless 2025-era). */
  clientCapabilities: () => ClientCapabilities | undefined;
}
