import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const SECRET_32 = 'x'.repeat(32);

/** The ConfigError loadConfig throws for this environment (fails the test if it does not throw). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('works with an empty environment, using the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      databasePath: './data/todos.db',
      databaseSynchronous: 'NORMAL',
      jwtSecret: undefined,
      tokenTtlSeconds: 3600,
      corsOrigins: [],
      logLevel: 'info',
      maxTodosPerUser: 10_000,
      maxAgentTokensPerUser: 50,
      oauthMaxGrantsPerUser: 50,
    });
  });

  it('reads MAX_AGENT_TOKENS_PER_USER as the most active agent tokens one person may hold', () => {
    expect(loadConfig({ MAX_AGENT_TOKENS_PER_USER: '3' }).maxAgentTokensPerUser).toBe(3);
  });

  it('reads OAUTH_MAX_GRANTS_PER_USER as the most apps one person may connect', () => {
    expect(loadConfig({ OAUTH_MAX_GRANTS_PER_USER: '5' }).oauthMaxGrantsPerUser).toBe(5);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', JWT_SECRET: '', CORS_ORIGINS: '' })).toMatchObject({
      port: 3000,
      jwtSecret: undefined,
      corsOrigins: [],
    });
  });

  it('lets the default PUBLIC_URL follow PORT', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('prefers an explicit PUBLIC_URL, without its trailing slash', () => {
    const config = loadConfig({ PORT: '8080', PUBLIC_URL: 'https://todos.example/' });
    expect(config.publicUrl).toBe('https://todos.example');
  });

  it('parses CORS_ORIGINS into a list of origins', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://app.example, http://localhost:5173' });
    expect(config.corsOrigins).toEqual(['https://app.example', 'http://localhost:5173']);
  });

  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['7d', 604_800],
  ])('reads TOKEN_TTL=%s as %i seconds', (value, seconds) => {
    expect(loadConfig({ TOKEN_TTL: value }).tokenTtlSeconds).toBe(seconds);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PUBLIC_URL', 'not a url'],
    ['PUBLIC_URL', 'ftp://files.example'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_SYNCHRONOUS', 'OFF'],
    ['TOKEN_TTL', '1x'],
    ['TOKEN_TTL', '10s'],
    ['TOKEN_TTL', '365d'],
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'https://app.example/path'],
    ['CORS_ORIGINS', 'javascript:alert(1)'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_TODOS_PER_USER', '0'],
    ['MAX_TODOS_PER_USER', 'many'],
    ['TRUST_PROXY', 'everyone'],
    ['SERVE', 'web'],
    ['MCP_LEGACY_SESSIONS', 'yes'],
    ['MCP_MAX_SESSIONS_PER_USER', '0'],
    ['MCP_MAX_LISTENS', '0'],
    ['MCP_MAX_LISTENS_PER_USER', 'ten'],
    ['MCP_CALLS_PER_MINUTE', '0'],
    ['MAX_AGENT_TOKENS_PER_USER', '0'],
    ['OAUTH_MAX_GRANTS_PER_USER', '0'],
    ['OAUTH_MAX_GRANTS_PER_USER', 'fifty'],
    ['MCP_TOOL_CALLS_PER_MINUTE', '120'],
    ['DATABASE_URL', 'mysql://db.example/todos'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_STATEMENT_TIMEOUT', '0'],
    ['DATABASE_STATEMENT_TIMEOUT', '5m'],
    ['SHUTDOWN_DELAY', 'soon'],
    ['SHUTDOWN_DELAY', '11m'],
  ])('refuses %s=%s with a ConfigError that names the variable', (name, value) => {
    const error = configError({ [name]: value });
    // A list variable adds the index of the bad entry: "CORS_ORIGINS.0: …".
    expect(error.message).toMatch(new RegExp(`^  ${name}(\\.\\d+)?: `, 'm'));
  });

  it.each([
    ['1', 1],
    ['loopback', 'loopback'],
  ])('reads TRUST_PROXY=%s as %s for Express', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toBe(expected);
  });

  it('takes LOG_FORMAT pretty or json, leaving the choice to main.ts when unset', () => {
    expect(loadConfig({}).logFormat).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(configError({ LOG_FORMAT: 'xml' }).message).toContain('LOG_FORMAT');
  });

  it('names every malformed variable at once', () => {
    const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(error.message).toMatch(/^ {2}PORT: /m);
    expect(error.message).toMatch(/^ {2}LOG_LEVEL: /m);
  });

  it('refuses to start in production without JWT_SECRET', () => {
    const error = configError({ NODE_ENV: 'production' });
    expect(error.message).toMatch(/^ {2}JWT_SECRET: .*required.*production/m);
  });

  it('keeps metadata documents on loopback addresses off by default, and on only when asked', () => {
    expect(loadConfig({}).oauthMetadataDocuments).toEqual({ allowLoopback: false, extraCaPath: undefined });
    expect(
      loadConfig({ OAUTH_METADATA_ALLOW_LOOPBACK: 'on', OAUTH_METADATA_EXTRA_CA: '/tmp/ca.pem' })
        .oauthMetadataDocuments,
    ).toEqual({ allowLoopback: true, extraCaPath: '/tmp/ca.pem' });
  });

  it.each([
    ['OAUTH_METADATA_ALLOW_LOOPBACK', 'on'],
    ['OAUTH_METADATA_EXTRA_CA', '/tmp/ca.pem'],
  ])('refuses %s in production: it would open an SSRF path', (name, value) => {
    const error = configError({ NODE_ENV: 'production', JWT_SECRET: SECRET_32, [name]: value });
    expect(error.message).toMatch(
      /OAUTH_METADATA_ALLOW_LOOPBACK, OAUTH_METADATA_EXTRA_CA: .*development and tests only/,
    );
  });

  it('starts in production with a JWT_SECRET of 32 bytes', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET_32 }).jwtSecret).toBe(SECRET_32);
  });

  it.each(['development', 'production'])('refuses a JWT_SECRET under 32 bytes in %s', (env) => {
    const error = configError({ NODE_ENV: env, JWT_SECRET: 'x'.repeat(31) });
    expect(error.message).toMatch(/^ {2}JWT_SECRET: must be at least 32 bytes/m);
  });

  it('measures JWT_SECRET in bytes, not characters', () => {
    // 16 two-byte characters are 32 bytes; 16 characters with one ASCII are 31.
    expect(loadConfig({ JWT_SECRET: 'é'.repeat(16) }).jwtSecret).toBe('é'.repeat(16));
    configError({ JWT_SECRET: `${'é'.repeat(15)}x` });
  });

  it('never repeats a refused secret in its message', () => {
    const secret = 'short-but-still-a-secret';
    expect(configError({ JWT_SECRET: secret }).message).not.toContain(secret);
  });

  it('uses SQLite, sessions on and a 3 s shutdown delay by default', () => {
    expect(loadConfig({})).toMatchObject({
      databaseUrl: undefined,
      databasePoolSize: 10,
      databaseStatementTimeoutMs: 5000,
      mcpLegacySessions: true,
      shutdownDelayMs: 3000,
    });
  });

  it('selects PostgreSQL with DATABASE_URL, turning 2025-era sessions off unless asked for', () => {
    const url = 'postgres://todos:pw@db.internal:5432/todos?sslmode=verify-full';
    const config = loadConfig({ DATABASE_URL: url, JWT_SECRET: SECRET_32, DATABASE_POOL_SIZE: '25' });
    expect(config).toMatchObject({ databaseUrl: url, databasePoolSize: 25, mcpLegacySessions: false });
    const sticky = loadConfig({ DATABASE_URL: url, JWT_SECRET: SECRET_32, MCP_LEGACY_SESSIONS: 'on' });
    expect(sticky.mcpLegacySessions).toBe(true);
  });

  it('requires JWT_SECRET with DATABASE_URL, and never repeats the URL (it holds a password)', () => {
    const error = configError({ DATABASE_URL: 'postgresql://todos:hunter2hunter2@db/todos' });
    expect(error.message).toMatch(/^ {2}JWT_SECRET: .*DATABASE_URL/m);
    expect(configError({ DATABASE_URL: 'mysql://todos:hunter2hunter2@db/todos' }).message).not.toContain(
      'hunter2',
    );
  });

  it.each([
    ['0', 0],
    ['500ms', 500],
    ['5s', 5000],
    ['15', 15_000],
  ])('reads SHUTDOWN_DELAY=%s as %i ms', (value, ms) => {
    expect(loadConfig({ SHUTDOWN_DELAY: value }).shutdownDelayMs).toBe(ms);
  });
});
