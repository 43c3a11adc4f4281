// The input of the activity log's list, shared by REST (query string) and the OpenAPI document.
import { z } from 'zod';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, todoIdSchema } from './todo-schemas.ts';

const listFields = {
  todoId: todoIdSchema.optional().describe('Only the changes of this todo (it may since have been deleted).'),
  limit: z
    .int()
    .min(1)
    .max(PAGE_LIMIT_MAX)
    .default(PAGE_LIMIT_DEFAULT)
    .describe(`Page size, 1-${PAGE_LIMIT_MAX} (default ${PAGE_LIMIT_DEFAULT}).`),
  cursor: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe("Opaque cursor from a previous page's nextCursor, sent with the same todoId."),
};

export const listActivitySchema = z.strictObject(listFields);

/** The same input as it arrives in a query string, where the limit is text. */
export const listActivityQuerySchema = z.strictObject({
  ...listFields,
  limit: z
    .string()
    .regex(/^\d{1,3}$/, `must be an integer from 1 to ${PAGE_LIMIT_MAX}`)
    .transform(Number)
    .pipe(z.int().min(1).max(PAGE_LIMIT_MAX))
    .default(PAGE_LIMIT_DEFAULT)
    .describe(listFields.limit.description ?? ''),
});

export type ListActivityInput = z.output<typeof listActivitySchema>;
