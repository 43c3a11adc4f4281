// The input schemas of TodoService, shared by both edges: REST parses request bodies and
// query strings with them, MCP advertises them as tool input schemas, and the OpenAPI
// document is generated from them. `.describe()` text is read by models and by people.
import { z } from 'zod';
import { boolean, integer, isoDate, oneOf, says, strictObject, uuid } from './fields.ts';
import { text } from './text.ts';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;
export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 100;

export const todoIdSchema = uuid('a todo id').describe(
  'The todo id (a UUID), as returned when the todo was created or listed.',
);

const title = text({ min: 1, max: TITLE_MAX, multiline: false, trim: true, visible: true }).describe(
  'Short summary of the task, one line, 1-200 characters (leading and trailing spaces are removed).',
);
const description = text({ min: 0, max: DESCRIPTION_MAX, multiline: true, trim: false }).describe(
  'Optional details, up to 2000 characters; newlines allowed.',
);
const priority = integer(1, 5).describe('Priority from 1 (lowest) to 5 (highest); 3 is normal.');
const completed = boolean().describe('Whether the task is done.');
const dueDate = isoDate().describe('Due date as YYYY-MM-DD, or null for none.');
const expectedVersion = integer(1).describe(
  "The version you last saw. When given, the change is refused if the todo changed since, so you never overwrite someone else's edit.",
);

export const createTodoSchema = strictObject({
  title,
  description: description.optional(),
  priority: priority.optional(),
  dueDate: dueDate.nullable().optional(),
});

/** Full replacement of the editable fields: what is left out returns to its default. */
export const replaceTodoSchema = strictObject({
  title,
  description: description.default(''),
  priority: priority.default(3),
  completed: completed.default(false),
  dueDate: dueDate.nullable().default(null),
});

/** The fields of a partial update (JSON merge patch): only those present change; `dueDate: null` clears it. */
export const patchTodoFields = {
  title: title.optional(),
  description: description.optional(),
  priority: priority.optional(),
  completed: completed.optional(),
  dueDate: dueDate.nullable().optional(),
};

/** True when a partial update changes something: an empty patch is a mistake worth reporting. */
export const changesSomething = (patch: Partial<Record<keyof typeof patchTodoFields, unknown>>) =>
  Object.keys(patchTodoFields).some((key) => patch[key as keyof typeof patchTodoFields] !== undefined);
const EMPTY_PATCH = {
  message: 'must change at least one of title, description, priority, completed, dueDate',
};

export const patchTodoSchema = strictObject(patchTodoFields).refine(changesSomething, EMPTY_PATCH);

/** update_todo's arguments: which todo, the version the caller saw, and the changes. */
export const updateTodoArgumentsSchema = strictObject({
  id: todoIdSchema,
  expectedVersion: expectedVersion.optional(),
  ...patchTodoFields,
}).refine(changesSomething, EMPTY_PATCH);

/** A todo as both edges return it. */
export const todoSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  priority: z.int().min(1).max(5),
  completed: z.boolean(),
  dueDate: z.iso.date().nullable(),
  createdAt: z.iso.datetime().describe('When the todo was created (UTC).'),
  updatedAt: z.iso.datetime().describe('When the todo last changed (UTC).'),
  version: z
    .int()
    .min(1)
    .describe('Starts at 1 and grows by one on every change; send it back as expectedVersion.'),
});

export const TODO_SORT_FIELDS = ['createdAt', 'updatedAt', 'dueDate', 'priority'] as const;
const CURSOR_RULE = 'must be the nextCursor of a previous page';

const listFields = {
  completed: completed.optional().describe('Only todos that are (true) or are not (false) done.'),
  priority: priority.optional().describe('Only todos with exactly this priority (1-5).'),
  q: text({ min: 1, max: TITLE_MAX, multiline: false, trim: true })
    .optional()
    .describe('Only todos whose title or description contains this text (case-insensitive).'),
  dueBefore: dueDate.optional().describe('Only todos due on or before this date (YYYY-MM-DD).'),
  sort: oneOf(TODO_SORT_FIELDS)
    .default('createdAt')
    .describe('Field to order by; todos without a due date sort last.'),
  order: oneOf(['asc', 'desc']).default('asc').describe('Ascending or descending order.'),
  limit: integer(1, PAGE_LIMIT_MAX)
    .default(PAGE_LIMIT_DEFAULT)
    .describe(`Page size, 1-${PAGE_LIMIT_MAX} (default ${PAGE_LIMIT_DEFAULT}).`),
  cursor: z
    .string(says(CURSOR_RULE))
    .min(1, says(CURSOR_RULE))
    .max(512, says(CURSOR_RULE))
    .optional()
    .describe("Opaque cursor from a previous page's nextCursor; send the same filters and sort with it."),
};

export const listTodosSchema = strictObject(listFields);

/**
 * The same list input as it arrives in a query string, where every value is text: booleans
 * and numbers are spelled out and converted. A repeated parameter arrives as an array and
 * is refused by the string schemas.
 */
export const listTodosQuerySchema = strictObject({
  ...listFields,
  completed: z
    .stringbool({ truthy: ['true'], falsy: ['false'], ...says('must be true or false') })
    .optional()
    .describe(listFields.completed.description ?? ''),
  priority: z
    .string()
    .regex(/^[1-5]$/, 'must be an integer from 1 to 5')
    .transform(Number)
    .optional()
    .describe(listFields.priority.description ?? ''),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `must be an integer from 1 to ${PAGE_LIMIT_MAX}`)
    .transform(Number)
    .pipe(integer(1, PAGE_LIMIT_MAX))
    .default(PAGE_LIMIT_DEFAULT)
    .describe(listFields.limit.description ?? ''),
});

export const versionedIdSchema = strictObject({
  id: todoIdSchema,
  expectedVersion: expectedVersion.optional(),
});
export { expectedVersion as expectedVersionSchema };

export type CreateTodoInput = z.output<typeof createTodoSchema>;
export type ReplaceTodoInput = z.output<typeof replaceTodoSchema>;
export type PatchTodoInput = z.output<typeof patchTodoSchema>;
export type ListTodosInput = z.output<typeof listTodosSchema>;
