import { z } from 'zod';
import { text } from './text.ts';

export const SCOPES = ['todos:read', 'todos:write'] as const;
export type Scope = (typeof SCOPES)[number];

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export const usernameSchema = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"')
  .describe('3-64 characters: letters, digits, "_", "." and "-". Case-insensitive and unique.');

// Passwords are never trimmed or normalised: what the user typed is what is hashed.
const password = text({ min: PASSWORD_MIN, max: PASSWORD_MAX, multiline: false, trim: false }).describe(
  `${PASSWORD_MIN}-${PASSWORD_MAX} characters.`,
);

export const registerSchema = z.strictObject({ username: usernameSchema, password });

/** Space-separated scopes, as OAuth 2 spells them; a token may ask for fewer than all. */
export const scopeStringSchema = z
  .string()
  .max(200)
  .transform((value) => [...new Set(value.split(' ').filter(Boolean))])
  .pipe(z.array(z.enum(SCOPES)).min(1, 'must name at least one scope'))
  .describe(`Space-separated scopes to grant, from: ${SCOPES.join(', ')}. Default: all of them.`);

// Login checks the stored hash, not the policy: a password that no longer meets the policy
// must still be refused with the same answer as a wrong one, so only sizes are bounded here.
const loginFields = {
  username: z.string().min(1).max(64).describe('The username given at registration.'),
  password: z.string().min(1).max(PASSWORD_MAX).describe('The password.'),
  scope: scopeStringSchema.optional(),
};

export const tokenRequestSchema = z.strictObject(loginFields);

/**
 * The form-encoded OAuth 2 password grant (RFC 6749 §4.3), as OAuth clients and Swagger UI
 * send it. They may add client_id or client_secret, which this public API ignores.
 */
export const passwordGrantSchema = z.object({ grant_type: z.literal('password'), ...loginFields });

export type RegisterInput = z.output<typeof registerSchema>;
export type TokenRequestInput = z.output<typeof tokenRequestSchema>;

export const AGENT_TOKEN_MAX_SECONDS = 90 * 86_400;
export const AGENT_TOKEN_DEFAULT_SECONDS = 30 * 86_400;

/** What a person asks for when minting a token for one agent: as little as the agent needs. */
export const createAgentTokenSchema = z.strictObject({
  name: text({ min: 1, max: 100, multiline: false, trim: true, visible: true }).describe(
    'What the token is for, e.g. "VS Code on my laptop"; shown when listing tokens.',
  ),
  scopes: z
    .array(z.enum(SCOPES))
    .min(1)
    .max(SCOPES.length)
    .transform((scopes) => [...new Set(scopes)])
    .describe('What the agent may do: todos:read, todos:write, or both.'),
  audience: z
    .enum(['mcp', 'api', 'both'])
    .default('mcp')
    .describe('Where the token is accepted: the MCP server (default), the REST API, or both.'),
  expiresIn: z
    .int()
    .min(60)
    .max(AGENT_TOKEN_MAX_SECONDS)
    .default(AGENT_TOKEN_DEFAULT_SECONDS)
    .describe(`Lifetime in seconds, up to 90 days (${AGENT_TOKEN_MAX_SECONDS}); default 30 days.`),
});

export type CreateAgentTokenInput = z.output<typeof createAgentTokenSchema>;
