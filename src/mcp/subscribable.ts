// The resources an MCP client can watch, in either era: each of the user's todos
// (todo://{id}) and their activity log (todo://activity). Which of them one change touches,
// and whether a URI names one the caller may watch: another user's todo answers exactly like a
// missing one, so a subscription can never confirm that someone else's todo exists.
import { z } from 'zod';
import type { ChangeEvent } from '../services/change-feed.ts';
import { NotFoundError } from '../services/errors.ts';
import type { TodoService } from '../services/todo-service.ts';

export const ACTIVITY_URI = 'todo://activity';
/** URIs one subscription (a listen filter, or one session) may name; each is checked against the store. */
export const MAX_SUBSCRIBED_URIS = 100;

export const todoUri = (id: string) => `todo://${id}`;
const TODO_URI = /^todo:\/\/(.+)$/;
const uuid = z.uuid();

/** The subscribable resources a change makes stale. */
export const staleUris = (event: ChangeEvent): string[] => [todoUri(event.entry.todoId), ACTIVITY_URI];

/** Whether `uri` is the caller's activity log or one of the caller's todos as it exists now. */
export async function canWatch(todos: TodoService, userId: string, uri: string): Promise<boolean> {
  if (uri === ACTIVITY_URI) return true;
  const id = TODO_URI.exec(uri)?.[1];
  if (id === undefined || !uuid.safeParse(id).success) return false;
  try {
    await todos.get(userId, id);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}
