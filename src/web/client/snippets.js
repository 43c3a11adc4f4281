// Ready-to-paste set-ups for a new agent token, the same as the README's "Connect an agent".

/**
 * @typedef {{ title: string, note: string, text: string }} Snippet
 */

/**
 * @param {{ token: string, audience: ('api' | 'mcp')[], mcpUrl: string, apiUrl: string }} minted
 * @returns {Snippet[]}
 */
export function snippetsFor(minted) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own input variable, written out as it is.
  const promptedToken = 'Bearer ${input:todos-token}';
  const { token, mcpUrl, apiUrl } = minted;
  /** @type {Snippet[]} */
  const snippets = [];
  if (minted.audience.includes('mcp')) {
    snippets.push(
      {
        title: 'VS Code',
        note: 'Save as .vscode/mcp.json. VS Code asks for the token when it starts the server and keeps it as a secret: paste the token then.',
        text: JSON.stringify(
          {
            servers: {
              todos: { type: 'http', url: mcpUrl, headers: { Authorization: promptedToken } },
            },
            inputs: [
              { id: 'todos-token', type: 'promptString', password: true, description: 'todos access token' },
            ],
          },
          null,
          2,
        ),
      },
      {
        title: 'Claude Code',
        note: 'Run in a terminal.',
        text: `claude mcp add --transport http todos ${mcpUrl} --header "Authorization: Bearer ${token}"`,
      },
      {
        title: 'MCP Inspector',
        note: 'Lists the tools from a terminal; leave out --cli and the options after it for the web UI.',
        text: `npx @modelcontextprotocol/inspector --cli ${mcpUrl} --transport http --header "Authorization: Bearer ${token}" --method tools/list`,
      },
    );
  }
  if (minted.audience.includes('api')) {
    snippets.push({
      title: 'curl',
      note: 'Lists your todos through the REST API.',
      text: `curl -H "Authorization: Bearer ${token}" ${apiUrl}/todos`,
    });
  }
  return snippets;
}
