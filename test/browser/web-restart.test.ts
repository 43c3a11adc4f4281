// The web app across a restart of the real service (a child process, the same port and
// database): the open page notices, reconnects by itself, and catches up on what changed
// meanwhile through Last-Event-ID, with no duplicate and no gap, and without a reload.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers.ts';
import {
  freePort,
  jsonHeaders,
  killService,
  type ServiceProcess,
  startService,
  stopService,
  waitForHealth,
} from '../service-process.ts';
import { BROWSER_TEST_TIMEOUT_MS, type Chromium, launchChromium } from './chromium.ts';
import { addTodo, openView, signUpInApp, waitUntilLive } from './web-app-page.ts';

describe('the web app across a server restart', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let directory: string;
  let port: number;
  let service: ServiceProcess;
  let chromium: Chromium;

  const start = async () => {
    service = startService({
      cwd: directory,
      port,
      env: {
        DATABASE_PATH: join(directory, 'todos.db'),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'warn',
      },
    });
    await waitForHealth(service);
  };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'todos-web-restart-'));
    port = await freePort();
    await start();
    chromium = await launchChromium();
  }, BROWSER_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await chromium.close();
    await stopService(service).catch(() => undefined);
    killService(service);
    rmSync(directory, { recursive: true, force: true });
  });

  it('reconnects after the restart and shows what changed meanwhile, once each, without a reload', async () => {
    const page: Page = await chromium.context.newPage();
    await signUpInApp(page, service.base, 'restarter');
    let loads = 0;
    page.on('load', () => {
      loads += 1;
    });
    await addTodo(page, { title: 'Before the restart' });
    const issued = await fetch(`${service.base}/api/auth/token`, {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ username: 'restarter', password: PASSWORD }),
    });
    const token = ((await issued.json()) as { access_token: string }).access_token;

    // The activity view adds what the live feed brings: a duplicate or a gap would show there.
    await openView(page, 'Activity');
    const ids = () =>
      page
        .locator('#activity-list > li')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-entry-id')));
    await expect.poll(ids).toEqual(['1']);
    // Marks the entry on show: reloading the log instead of resuming the feed would replace it.
    const first = page.locator('#activity-list > li[data-entry-id="1"]');
    await first.evaluate((item) => item.setAttribute('data-seen-before-restart', ''));

    expect(await stopService(service)).toEqual({ code: 0, signal: null });
    await page.locator('#live-status[data-state="reconnecting"]').waitFor();
    await start();
    // Written at once, likely before the page is back: it must catch up on them.
    const created: string[] = [];
    for (const title of ['After the restart', 'And another']) {
      const res = await fetch(`${service.base}/api/todos`, {
        method: 'POST',
        headers: jsonHeaders(token),
        body: JSON.stringify({ title }),
      });
      created.push(((await res.json()) as { id: string }).id);
    }
    await fetch(`${service.base}/api/todos/${created[0]}`, {
      method: 'PATCH',
      headers: jsonHeaders(token),
      body: JSON.stringify({ completed: true }),
    });

    await waitUntilLive(page);
    await expect.poll(ids, { timeout: 10_000 }).toEqual(['4', '3', '2', '1']);
    expect(await first.getAttribute('data-seen-before-restart')).toBe('');
    expect(await page.locator('#activity-list .activity-what').first().textContent()).toBe(
      'You, through the API, completed “After the restart”',
    );
    await openView(page, 'Todos');
    await expect
      .poll(() => page.locator('#todo-list .todo-title').allTextContents())
      .toEqual(['And another', 'After the restart', 'Before the restart']);
    expect(loads).toBe(0);
  });
});
