// Real MCP clients over real HTTP against a listening createApp, in either protocol era.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { TestUser } from '../helpers.ts';

export type Era = 'modern' | 'legacy';
export const ERAS: Era[] = ['modern', 'legacy'];

export interface ServingMode {
  name: string;
  era: Era;
  legacySessions: boolean;
}

/** Every way /mcp serves a client: 2026-07-28 statelessly, the 2025 era on sessions or without. */
export const SERVING_MODES: ServingMode[] = [
  { name: 'the 2026-07-28 era', era: 'modern', legacySessions: true },
  { name: 'the 2025 era on sessions', era: 'legacy', legacySessions: true },
  { name: 'the 2025 era without sessions', era: 'legacy', legacySessions: false },
];

export type ElicitAnswer = 'accept' | 'decline' | 'cancel' | { confirm: boolean };

export interface Connected {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** How the client answers the next elicitation request (default: accept with confirm true). */
  setElicitAnswer: (answer: ElicitAnswer) => void;
  /** The message of every elicitation request the client was sent, in order. */
  elicitMessages: string[];
}

export async function connect(
  baseUrl: string,
  user: TestUser | { token: string },
  era: Era,
  options: { elicitation?: boolean } = {},
): Promise<Connected> {
  const elicitation = options.elicitation ?? true;
  const client = new Client(
    { name: 'todos-test', version: '1.0.0' },
    {
      ...(era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {}),
      capabilities: elicitation ? { elicitation: { form: {} } } : {},
    },
  );
  let answer: ElicitAnswer = 'accept';
  const elicitMessages: string[] = [];
  if (elicitation) {
    client.setRequestHandler('elicitation/create', async (request) => {
      elicitMessages.push(request.params.message);
      if (answer === 'accept') return { action: 'accept', content: { confirm: true } };
      if (typeof answer === 'object') return { action: 'accept', content: answer };
      return { action: answer };
    });
  }
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
    authProvider: { token: async () => user.token },
    onInsufficientScope: 'throw',
  });
  await client.connect(transport);
  return {
    client,
    transport,
    setElicitAnswer: (next) => {
      answer = next;
    },
    elicitMessages,
  };
}

/** The text of a tool result's first content block. */
export function textOf(result: { content?: unknown }): string {
  const content = result.content as { type: string; text?: string }[] | undefined;
  return content?.[0]?.text ?? '';
}
