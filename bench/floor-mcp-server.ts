// The MCP floors the /mcp path is compared with, each in its own process: what the SDK v2
// costs on its own to answer tools/call get_todo_by_id with the same row, written as the
// SDK's README writes a server (zod input and output schemas, a result with text and
// structuredContent), with no auth, no Express, no logging and no guards.
//   node bench/floor-mcp-server.ts modern|legacy <database path> <user id>
// `modern` (2026-07-28): createMcpHandler + toNodeHandler on node:http, one McpServer per
// request. `legacy` (2025 era): one McpServer on one sessionful Streamable HTTP transport,
// opened by the harness with initialize. Both read the body from the stream themselves.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import {
  type NodeIncomingMessageLike,
  NodeStreamableHTTPServerTransport,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import { createMcpHandler, isInitializeRequest, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { openRowReader, serveFloor } from './floor-row.ts';

const [mode, databasePath, userId] = process.argv.slice(2);
if ((mode !== 'modern' && mode !== 'legacy') || !databasePath || !userId) {
  throw new Error('usage: floor-mcp-server.ts modern|legacy <database path> <user id>');
}
const read = openRowReader(databasePath, userId);

// Built once, as a careful server would: only the McpServer is per request. (Written inline
// in the factory, as the SDK's shortest examples do, the schemas are built and converted on
// every request: that floor measured ~1.9 × this one, too soft to judge our cost against.)
const inputSchema = z.object({ id: z.string().describe('The todo id.') });
const outputSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  priority: z.int(),
  completed: z.boolean(),
  dueDate: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.int(),
});

function buildServer(): McpServer {
  const server = new McpServer({ name: 'floor', version: '1.0.0' });
  server.registerTool(
    'get_todo_by_id',
    { description: 'Get one todo by its id.', inputSchema, outputSchema },
    async ({ id }) => {
      const todo = read(id);
      if (!todo) return { content: [{ type: 'text', text: `No todo ${id}.` }], isError: true };
      return { content: [{ type: 'text', text: JSON.stringify(todo) }], structuredContent: { ...todo } };
    },
  );
  return server;
}

if (mode === 'modern') {
  const handle = toNodeHandler(createMcpHandler(() => buildServer()));
  // A server's IncomingMessage always has a method and a url; node:http types them optional
  // because client responses share the class.
  serveFloor(createServer((req, res) => void handle(req as NodeIncomingMessageLike, res)));
} else {
  let session: NodeStreamableHTTPServerTransport | undefined;
  serveFloor(
    createServer(async (req, res) => {
      if (session && req.headers['mcp-session-id'] === session.sessionId) {
        await session.handleRequest(req, res);
        return;
      }
      // The harness opens exactly one session: initialize without a session id.
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      if (session || !isInitializeRequest(body)) {
        res.writeHead(400).end();
        return;
      }
      session = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
      await buildServer().connect(session);
      await session.handleRequest(req, res, body);
    }),
  );
}
