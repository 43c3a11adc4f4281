import { type Request, type Response, Router } from 'express';
import type { Actor, Todo } from '../repositories/types.ts';
import { actorFor } from '../services/actor.ts';
import {
  createTodoSchema,
  listTodosQuerySchema,
  patchTodoSchema,
  replaceTodoSchema,
} from '../services/todo-schemas.ts';
import type { TodoService } from '../services/todo-service.ts';
import { type Authenticate, principalOf, viaOf } from './authenticate.ts';
import { jsonBody, requireBodyType } from './body.ts';
import { expectedVersion, setEtag } from './etag.ts';
import { parseInput } from './parse.ts';
import { pathId } from './path-id.ts';

export function todoRoutes(authenticate: Authenticate, todos: TodoService): Router {
  const router = Router();
  const read = authenticate('todos:read');
  const write = authenticate('todos:write');
  const json = requireBodyType('json');

  router.get('/', read, async (req, res) => {
    const query = parseInput(listTodosQuerySchema, req.query, 'query');
    res.json(await todos.list(userId(req), query));
  });

  router.post('/', write, json, jsonBody, async (req, res) => {
    const todo = await todos.create(actor(req), parseInput(createTodoSchema, req.body, 'body'));
    res.status(201).location(`${req.baseUrl}/${todo.id}`);
    sendTodo(res, todo);
  });

  router.get('/:id', read, async (req, res) => {
    sendTodo(res, await todos.get(userId(req), pathId(req, 'Todo')));
  });

  router.put('/:id', write, json, jsonBody, async (req, res) => {
    const id = pathId(req, 'Todo');
    const input = parseInput(replaceTodoSchema, req.body, 'body');
    sendTodo(res, await todos.replace(actor(req), id, input, expectedVersion(req)));
  });

  router.patch('/:id', write, json, jsonBody, async (req, res) => {
    const id = pathId(req, 'Todo');
    const input = parseInput(patchTodoSchema, req.body, 'body');
    sendTodo(res, await todos.patch(actor(req), id, input, expectedVersion(req)));
  });

  router.delete('/:id', write, async (req, res) => {
    await todos.delete(actor(req), pathId(req, 'Todo'), expectedVersion(req));
    res.status(204).end();
  });

  return router;
}

function sendTodo(res: Response, todo: Todo): void {
  setEtag(res, todo);
  res.json(todo);
}

const userId = (req: Request): string => principalOf(req).userId;

/**
 * Who writes: a change is attributed to the web app when its session cookie signed the
 * request in, else to the API, and to the agent token or OAuth client when one is used.
 */
const actor = (req: Request): Actor => actorFor(principalOf(req), viaOf(req));
