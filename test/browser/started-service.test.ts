// The promise, on the service as `npm start` runs it with no configuration: a host
// holding nothing but http://localhost:PORT/mcp gets from the 401 to working tool calls,
// while a new person creates an account on our sign-up page and allows the host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers.ts';
import {
  freePort,
  killService,
  type ServiceProcess,
  startService,
  stopService,
  waitForHealth,
} from '../service-process.ts';
import { BROWSER_TEST_TIMEOUT_MS, type Chromium, launchChromium } from './chromium.ts';
import { BrowserOAuthProvider, CallbackServer } from './oauth-host.ts';

describe('a fresh service with the default configuration', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let directory: string;
  let service: ServiceProcess;
  let chromium: Chromium;
  let callback: CallbackServer;
  let port: number;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'todos-oauth-start-'));
    port = await freePort();
    service = startService({
      cwd: directory,
      port,
      env: { DATABASE_PATH: join(directory, 'todos.db'), LOG_LEVEL: 'warn' },
    });
    await waitForHealth(service);
    chromium = await launchChromium();
    callback = await CallbackServer.start();
  }, BROWSER_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await chromium.close();
    await callback.close();
    await stopService(service).catch(() => undefined);
    killService(service);
    rmSync(directory, { recursive: true, force: true });
  });

  it('lets a host with only the URL sign a new person up, get consent and call tools', async () => {
    const url = new URL(`http://localhost:${port}/mcp`);
    const provider = new BrowserOAuthProvider({ browser: chromium.context, callback });
    provider.person = async (page) => {
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Username').fill('newcomer');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/\/oauth\/consent/, { timeout: 10_000 });
      await page.getByRole('button', { name: 'Allow' }).click();
    };
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: 'host', version: '1' }).connect(first)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    expect(provider.lastCallback?.get('iss')).toBe(`http://localhost:${port}`);
    await first.finishAuth(provider.lastCallback ?? new URLSearchParams());
    provider.person = undefined;

    const client = new Client({ name: 'host', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    const created = await client.callTool({
      name: 'create_todo',
      arguments: { title: 'First todo of a newcomer' },
    });
    expect(created.isError).toBeFalsy();
    await client.close();
  });
});
