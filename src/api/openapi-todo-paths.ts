// The OpenAPI paths of the caller's todos: list and create, then read, replace, patch and
// delete one, the last three conditional on If-Match.
import { listTodosQuerySchema } from '../services/todo-schemas.ts';
import { body, errors, type Json, json, problem, ref, secured } from './openapi-operations.ts';
import { listQueryParameters } from './openapi-schemas.ts';

const todoResponse = (description: string, extraHeaders: Json = {}) => ({
  description,
  headers: { ETag: ref('headers', 'ETag'), ...extraHeaders },
  content: json('Todo'),
});

const todoParameters = [ref('parameters', 'TodoId')];
const conditionalParameters = [...todoParameters, ref('parameters', 'IfMatch')];

export function todoPaths(): Json {
  return {
    '/api/todos': {
      get: {
        operationId: 'listTodos',
        tags: ['todos'],
        summary: 'List your todos, filtered, sorted and paged by cursor',
        security: secured('todos:read'),
        parameters: listQueryParameters(Object.keys(listTodosQuerySchema.shape)),
        responses: {
          200: { description: 'One page of todos.', content: json('TodoPage') },
          ...errors(400, 401, 403),
        },
      },
      post: {
        operationId: 'createTodo',
        tags: ['todos'],
        summary: 'Create a todo',
        security: secured('todos:write'),
        requestBody: body('CreateTodo'),
        responses: {
          201: todoResponse('The new todo, at version 1.', { Location: ref('headers', 'Location') }),
          ...errors(400, 401, 403, 413, 415),
          409: problem('You have reached the maximum number of todos; `limit` says how many.'),
        },
      },
    },
    '/api/todos/{id}': {
      get: {
        operationId: 'getTodo',
        tags: ['todos'],
        summary: 'Get a todo',
        security: secured('todos:read'),
        parameters: todoParameters,
        responses: { 200: todoResponse('The todo.'), ...errors(401, 403, 404) },
      },
      put: {
        operationId: 'replaceTodo',
        tags: ['todos'],
        summary: 'Replace every editable field of a todo (fields left out return to their defaults)',
        security: secured('todos:write'),
        parameters: conditionalParameters,
        requestBody: body('ReplaceTodo'),
        responses: {
          200: todoResponse('The todo, one version on.'),
          ...errors(400, 401, 403, 404, 412, 413, 415),
        },
      },
      patch: {
        operationId: 'patchTodo',
        tags: ['todos'],
        summary: 'Change some fields of a todo (JSON merge patch: `dueDate: null` clears the due date)',
        security: secured('todos:write'),
        parameters: conditionalParameters,
        requestBody: body('PatchTodo', ['application/json', 'application/merge-patch+json']),
        responses: {
          200: todoResponse('The todo, one version on.'),
          ...errors(400, 401, 403, 404, 412, 413, 415),
        },
      },
      delete: {
        operationId: 'deleteTodo',
        tags: ['todos'],
        summary: 'Delete a todo',
        security: secured('todos:write'),
        parameters: conditionalParameters,
        responses: { 204: { description: 'Deleted.' }, ...errors(400, 401, 403, 404, 412) },
      },
    },
  };
}
