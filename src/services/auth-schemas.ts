import { z } from 'zod';
import { integer, oneOf, says, strictObject } from './fields.ts';
import { text } from './text.ts';

export const SCOPES = ['todos:read', 'todos:write'] as const;
export type Scope = (typeof SCOPES)[number];

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

const USERNAME_RULE = 'must be 3 to 64 letters, digits, "_", "." or "-"';
export const usernameSchema = z
  .string(says(USERNAME_RULE))
  .min(3, says(USERNAME_RULE))
  .max(64, says(USERNAME_RULE))
  .regex(/^[A-Za-z0-9_.-]+$/, says(USERNAME_RULE))
  .describe('3-64 characters: letters, digits, "_", "." and "-". Case-insensitive and unique.');

// Passwords are never trimmed or normalised: what the user typed is what is hashed.
const password = text({ min: PASSWORD_MIN, max: PASSWORD_MAX, multiline: false, trim: false }).describe(
  `${PASSWORD_MIN}-${PASSWORD_MAX} characters.`,
);

export const registerSchema = strictObject({ username: usernameSchema, password });

const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);
const SCOPE_RULE = `must be one or more of ${SCOPES.join(', ')}, separated by spaces`;

/** Space-separated scopes, as OAuth 2 spells them; a token may ask for fewer than all. */
export const scopeStringSchema = z
  .string(says(SCOPE_RULE))
  .max(200, says(SCOPE_RULE))
  .transform((value, ctx) => {
    const named = [...new Set(value.split(' ').filter(Boolean))];
    const scopes = named.filter(isScope);
    if (scopes.length === 0 || scopes.length !== named.length)
      ctx.addIssue({ code: 'custom', message: SCOPE_RULE });
    return scopes;
  })
  .describe(`Space-separated scopes to grant, from: ${SCOPES.join(', ')}. Default: all of them.`);

// Login checks the stored hash, not the policy: a password that no longer meets the policy
// must still be refused with the same answer as a wrong one, so only sizes are bounded here.
const LOGIN_USERNAME_RULE = 'must be your username, 1 to 64 characters';
const LOGIN_PASSWORD_RULE = `must be your password, 1 to ${PASSWORD_MAX} characters`;
const loginFields = {
  username: z
    .string(says(LOGIN_USERNAME_RULE))
    .min(1, says(LOGIN_USERNAME_RULE))
    .max(64, says(LOGIN_USERNAME_RULE))
    .describe('The username given at registration.'),
  password: z
    .string(says(LOGIN_PASSWORD_RULE))
    .min(1, says(LOGIN_PASSWORD_RULE))
    .max(PASSWORD_MAX, says(LOGIN_PASSWORD_RULE))
    .describe('The password.'),
  scope: scopeStringSchema.optional(),
};

export const tokenRequestSchema = strictObject(loginFields);

/**
 * The form-encoded OAuth 2 password grant (RFC 6749 §4.3), as OAuth clients and Swagger UI
 * send it. They may add client_id or client_secret, which this public API ignores.
 */
export const passwordGrantSchema = z.object({
  grant_type: z.literal('password', says('must be "password"')),
  ...loginFields,
});

export type RegisterInput = z.output<typeof registerSchema>;
export type TokenRequestInput = z.output<typeof tokenRequestSchema>;

export const AGENT_TOKEN_MAX_SECONDS = 90 * 86_400;
export const AGENT_TOKEN_DEFAULT_SECONDS = 30 * 86_400;

/** What a person asks for when minting a token for one agent: as little as the agent needs. */
const AGENT_SCOPES_RULE = `must be a list of one or more of ${SCOPES.join(', ')}`;
export const createAgentTokenSchema = strictObject({
  name: text({ min: 1, max: 100, multiline: false, trim: true, visible: true }).describe(
    'What the token is for, e.g. "VS Code on my laptop"; shown when listing tokens.',
  ),
  scopes: z
    .array(oneOf(SCOPES), says(AGENT_SCOPES_RULE))
    .min(1, says(AGENT_SCOPES_RULE))
    .max(SCOPES.length, says(AGENT_SCOPES_RULE))
    .transform((scopes) => [...new Set(scopes)])
    .describe('What the agent may do: todos:read, todos:write, or both.'),
  audience: oneOf(['mcp', 'api', 'both'])
    .default('mcp')
    .describe('Where the token is accepted: the MCP server (default), the REST API, or both.'),
  expiresIn: integer(
    60,
    AGENT_TOKEN_MAX_SECONDS,
    `must be a number of seconds from 60 to ${AGENT_TOKEN_MAX_SECONDS} (90 days)`,
  )
    .default(AGENT_TOKEN_DEFAULT_SECONDS)
    .describe(`Lifetime in seconds, up to 90 days (${AGENT_TOKEN_MAX_SECONDS}); default 30 days.`),
});

export type CreateAgentTokenInput = z.output<typeof createAgentTokenSchema>;
