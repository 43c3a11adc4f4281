// The OpenAPI paths of what happened to the caller's todos: the activity log, and the same
// changes live as server-sent events.
import { listActivityQuerySchema, listActivitySchema } from '../services/activity-schemas.ts';
import { errors, type Json, json, problem, ref, secured } from './openapi-operations.ts';
import { listQueryParameters } from './openapi-schemas.ts';

export function activityPaths(): Json {
  return {
    '/api/activity': {
      get: {
        operationId: 'listActivity',
        tags: ['activity'],
        summary: 'Who changed your todos: the activity log, newest first, paged by cursor',
        description:
          'Every create, update and delete, with the interface it came through (web, api, mcp) and the agent token or application acting for you, if any. Field names only, never values. Kept for a bounded number of entries and days.',
        security: secured('todos:read'),
        parameters: listQueryParameters(Object.keys(listActivityQuerySchema.shape), listActivitySchema),
        responses: {
          200: { description: 'One page of the log.', content: json('ActivityPage') },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/events': {
      get: {
        operationId: 'streamEvents',
        tags: ['activity'],
        summary: 'Your changes, live, as server-sent events',
        description: [
          'A `text/event-stream` that stays open. Events:',
          '- `change`: one entry of the activity log as JSON (the ActivityEntry schema); its `id:` is the entry id.',
          '- `ready`: sent once caught up, `data: {"latest": <id>}`; its `id:` is where you are.',
          '- `reload`: what you missed is no longer kept (or `Last-Event-ID` is not from here): reload your data; `data: {"latest": <id>, "reason": "..."}`.',
          'Lines starting with `:` are heartbeats. Reconnect with `Last-Event-ID` (EventSource does it for you) to get exactly what you missed, without gaps or duplicates. Each account may hold a few streams at once.',
        ].join('\n'),
        security: secured('todos:read'),
        parameters: [
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'The id of the last event you received: the stream starts with what came after it.',
            schema: { type: 'string', examples: ['42'] },
          },
        ],
        responses: {
          200: {
            description: 'The stream of events.',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errors(401, 403),
          429: problem('You hold as many event streams as an account may; close one first.', {
            'Retry-After': ref('headers', 'Retry-After'),
          }),
          503: problem('The server is shutting down, or holds as many streams as it can: reconnect shortly.'),
        },
      },
    },
  };
}
