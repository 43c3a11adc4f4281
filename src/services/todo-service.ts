import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  ActivityEntry,
  Actor,
  Todo,
  TodoChanges,
  TodoPosition,
  TodoRepository,
  TodoSortField,
  WriteContext,
} from '../repositories/types.ts';
import { todoSortKey } from '../repositories/types.ts';
import type { ChangeFeed } from './change-feed.ts';
import { InvalidInputError, NotFoundError, PreconditionFailedError, QuotaExceededError } from './errors.ts';
import type { CreateTodoInput, ListTodosInput, PatchTodoInput, ReplaceTodoInput } from './todo-schemas.ts';
import { TODO_SORT_FIELDS } from './todo-schemas.ts';

export interface TodoPage {
  items: Todo[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface TodoServiceDeps {
  todos: TodoRepository;
  maxTodosPerUser: number;
  /** Where every committed change is published, after its transaction. */
  changes: ChangeFeed;
  /** Activity entries kept per user (the log's bound; see ActivityService for its age bound). */
  activityPerUser: number;
  now?: () => number;
}

// What a cursor holds: the sort it was made for and the position of the last row served.
const cursorSchema = z.strictObject({
  s: z.enum(TODO_SORT_FIELDS),
  o: z.enum(['asc', 'desc']),
  k: z.union([z.string().max(64), z.int()]),
  i: z.uuid(),
});

// The key each sort puts in a cursor (see todoSortKey). A cursor whose key has another shape
// was not made by us: it is refused rather than silently matching nothing.
const CURSOR_KEYS: Record<TodoSortField, z.ZodType> = {
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  priority: z.int().min(1).max(5),
  dueDate: z.iso.date(),
};

export class TodoService {
  readonly #todos: TodoRepository;
  readonly #maxTodosPerUser: number;
  readonly #changes: ChangeFeed;
  readonly #activityPerUser: number;
  readonly #now: () => number;

  constructor(deps: TodoServiceDeps) {
    this.#todos = deps.todos;
    this.#maxTodosPerUser = deps.maxTodosPerUser;
    this.#changes = deps.changes;
    this.#activityPerUser = deps.activityPerUser;
    this.#now = deps.now ?? Date.now;
  }

  async list(userId: string, input: ListTodosInput): Promise<TodoPage> {
    const after = input.cursor === undefined ? undefined : this.#decodeCursor(input.cursor, input);
    // One row more than asked tells whether another page exists without a count query.
    const rows = await this.#todos.list(userId, {
      completed: input.completed,
      priority: input.priority,
      text: input.q,
      dueOnOrBefore: input.dueBefore,
      sort: input.sort,
      order: input.order,
      after,
      limit: input.limit + 1,
    });
    const items = rows.slice(0, input.limit);
    const last = items.at(-1);
    const nextCursor = rows.length > input.limit && last ? this.#encodeCursor(last, input) : null;
    return { items, nextCursor };
  }

  async get(userId: string, id: string): Promise<Todo> {
    const todo = await this.#todos.get(userId, id);
    if (!todo) throw new NotFoundError('Todo', id);
    return todo;
  }

  // Writes take the actor (who, through which interface, for which client) rather than a bare
  // user id: the repository records it in the activity log in the same transaction.
  async create(actor: Actor, input: CreateTodoInput): Promise<Todo> {
    const context = this.#context(actor);
    const todo: Todo = {
      id: randomUUID(),
      title: input.title,
      description: input.description ?? '',
      priority: input.priority ?? 3,
      completed: false,
      dueDate: input.dueDate ?? null,
      createdAt: context.at,
      updatedAt: context.at,
      version: 1,
    };
    const recorded = await this.#todos.insert(context, todo, this.#maxTodosPerUser);
    if (!recorded) {
      throw new QuotaExceededError(
        `You already have ${this.#maxTodosPerUser} todos, the most one account may keep. Delete some before adding more.`,
        this.#maxTodosPerUser,
      );
    }
    this.#published(actor, recorded.entry);
    return recorded.todo;
  }

  replace(actor: Actor, id: string, input: ReplaceTodoInput, expectedVersion?: number): Promise<Todo> {
    return this.#update(actor, id, input, expectedVersion);
  }

  patch(actor: Actor, id: string, input: PatchTodoInput, expectedVersion?: number): Promise<Todo> {
    return this.#update(actor, id, input, expectedVersion);
  }

  async delete(actor: Actor, id: string, expectedVersion?: number): Promise<void> {
    const entry = await this.#todos.delete(this.#context(actor), id, expectedVersion);
    if (!entry) throw await this.#whyNotChanged(actor.userId, id);
    this.#published(actor, entry);
  }

  async #update(actor: Actor, id: string, fields: TodoChanges, expectedVersion?: number): Promise<Todo> {
    const recorded = await this.#todos.update(this.#context(actor), id, fields, expectedVersion);
    if (!recorded) throw await this.#whyNotChanged(actor.userId, id);
    this.#published(actor, recorded.entry);
    return recorded.todo;
  }

  #context(actor: Actor): WriteContext {
    return { actor, at: this.#timestamp(), keepActivity: this.#activityPerUser };
  }

  /** The repository resolved, so the transaction has committed: now the change may be announced. */
  #published(actor: Actor, entry: ActivityEntry): void {
    this.#changes.publish({ userId: actor.userId, entry });
  }

  /** A conditional write changed nothing: either the todo is not the caller's, or its version moved on. */
  async #whyNotChanged(userId: string, id: string): Promise<Error> {
    const current = await this.#todos.get(userId, id);
    if (!current) return new NotFoundError('Todo', id);
    return new PreconditionFailedError(
      `Todo ${JSON.stringify(id)} has changed since you read it: it is now at version ${current.version}.`,
      current.version,
    );
  }

  #timestamp(): string {
    return new Date(this.#now()).toISOString();
  }

  #encodeCursor(last: Todo, input: ListTodosInput): string {
    const cursor = { s: input.sort, o: input.order, k: todoSortKey(last, input.sort), i: last.id };
    return Buffer.from(JSON.stringify(cursor)).toString('base64url');
  }

  #decodeCursor(cursor: string, input: ListTodosInput): TodoPosition {
    let decoded: z.infer<typeof cursorSchema> | undefined;
    try {
      decoded = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    } catch {
      decoded = undefined;
    }
    if (
      !decoded ||
      decoded.s !== input.sort ||
      decoded.o !== input.order ||
      !CURSOR_KEYS[decoded.s].safeParse(decoded.k).success
    ) {
      throw new InvalidInputError([
        { path: ['cursor'], message: 'is not a cursor from a previous page with the same sort and order' },
      ]);
    }
    return { key: decoded.k, id: decoded.i };
  }
}
