// The moment the web app is for: a person watching their list while agents work on it. What
// an agent does through the real MCP client appears in the open page within a second, named
// after the agent, without a reload; the activity log says who did what through which
// interface; and the person mints, hands out and takes back the agents' access.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect } from '../mcp/mcp-helpers.ts';
import { grantTokens, registerClient, statusOn } from '../oauth/oauth-helpers.ts';
import {
  BROWSER_TEST_TIMEOUT_MS,
  type Chromium,
  launchChromium,
  seriousAccessibilityViolations,
} from './chromium.ts';
import { addTodo, day, openView, row, saveScreenshots, signInToApp } from './web-app-page.ts';

// The promise: a change from any interface shows in the open page within a second.
const LIVE_DEADLINE_MS = 1000;
const AGENT = 'Claude on the test bench';

describe('the web app, live while agents work', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let ctx: TestContext & { base: string };
  let chromium: Chromium;
  let page: Page;
  const clients: Connected[] = [];

  beforeAll(async () => {
    ctx = await createListeningContext();
    chromium = await launchChromium();
  }, BROWSER_TEST_TIMEOUT_MS);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((each) => each.client.close()));
  });
  afterAll(async () => {
    await chromium.close();
    await ctx.close();
  });

  /** A new person (named, for the screenshots), signed in to the app in a fresh page. */
  async function signedIn(username: string): Promise<TestUser> {
    const user = await ctx.signUp(username);
    await chromium.context.clearCookies();
    if (page && !page.isClosed()) await page.close();
    page = await chromium.context.newPage();
    await signInToApp(page, ctx.base, user.username);
    return user;
  }

  /** Mints a token on the Agents view, as a person would, and returns it as shown. */
  async function mintInApp(name: string, choices: { readOnly?: boolean; audience?: string } = {}) {
    await openView(page, 'Agents');
    const form = page.locator('#mint-token');
    await form.getByLabel('Name').fill(name);
    if (choices.readOnly) await form.getByLabel('Create, change and delete your todos').uncheck();
    if (choices.audience) await form.getByLabel(choices.audience, { exact: true }).check();
    await form.getByLabel('Lifetime').selectOption({ label: '7 days' });
    await form.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('heading', { name: 'Your new token' }).waitFor();
    return page.getByLabel('Token', { exact: true }).inputValue();
  }

  const announced = () => page.locator('#announcer').textContent();

  it('shows a todo an agent creates and completes through MCP within a second, named after the agent, without a reload', async () => {
    const user = await signedIn('alex');
    const token = await mintInApp(AGENT);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await openView(page, 'Todos');
    await addTodo(page, { title: 'Water the plants', dueDate: day(0) });
    let loads = 0;
    page.on('load', () => {
      loads += 1;
    });

    const agent = await connect(ctx.base, { token }, 'modern');
    clients.push(agent);
    const created = await agent.client.callTool({
      name: 'create_todo',
      arguments: { title: 'Call the plumber', priority: 5, dueDate: day(-1) },
    });
    expect(created.isError).toBeFalsy();
    const plumber = row(page, 'Call the plumber');
    await plumber
      .locator('.todo-changed', { hasText: `Created by the agent “${AGENT}”, through MCP` })
      .waitFor({ timeout: LIVE_DEADLINE_MS });

    const id = (created.structuredContent as { id: string }).id;
    const completed = await agent.client.callTool({
      name: 'update_todo',
      arguments: { id, completed: true },
    });
    expect(completed.isError).toBeFalsy();
    await plumber
      .locator('.todo-changed', { hasText: `Completed by the agent “${AGENT}”, through MCP` })
      .waitFor({ timeout: LIVE_DEADLINE_MS });
    expect(await plumber.getByRole('checkbox').isChecked()).toBe(true);
    expect(loads).toBe(0);
    await expect.poll(announced).toBe(`The agent “${AGENT}”, through MCP, completed “Call the plumber”.`);

    // Through the API with the person's own token, and through MCP by an app they allowed.
    await fetch(`${ctx.base}/api/todos`, {
      method: 'POST',
      headers: { ...bearer(user), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Renew the passport', priority: 4, dueDate: day(-3) }),
    });
    const { clientId } = await registerClient(ctx.base, { client_name: 'Planner app' });
    const app = await grantTokens(ctx.base, user, { clientId });
    const planner = await connect(ctx.base, { token: app.accessToken }, 'modern');
    clients.push(planner);
    await planner.client.callTool({
      name: 'create_todo',
      arguments: { title: 'Plan the week', priority: 3 },
    });
    await row(page, 'Plan the week')
      .locator('.todo-changed', { hasText: 'Created by the app “Planner app”, through MCP' })
      .waitFor({ timeout: LIVE_DEADLINE_MS });
    await row(page, 'Renew the passport')
      .locator('.todo-changed', { hasText: 'Created by you, through the API' })
      .waitFor();
    await saveScreenshots(page, 'todos');

    await openView(page, 'Activity');
    const entries = page.locator('#activity-list > li .activity-what');
    await expect
      .poll(() => entries.allTextContents())
      .toEqual([
        'The app “Planner app”, through MCP, created “Plan the week”',
        'You, through the API, created “Renew the passport”',
        `The agent “${AGENT}”, through MCP, completed “Call the plumber”`,
        `The agent “${AGENT}”, through MCP, created “Call the plumber”`,
        'You, on the web, created “Water the plants”',
      ]);
    // A change while the log is open joins it at the top.
    await agent.client.callTool({
      name: 'update_todo',
      arguments: { id, title: 'Call the plumber again', priority: 3 },
    });
    await page
      .locator('#activity-list > li')
      .first()
      .getByText(
        `The agent “${AGENT}”, through MCP, changed the title and priority of “Call the plumber again”`,
      )
      .waitFor({ timeout: LIVE_DEADLINE_MS });
    await saveScreenshots(page, 'activity');

    // The app the person allowed is listed, and disconnecting it ends its access at once.
    await openView(page, 'Agents');
    const card = page.locator('#grant-list > li', { hasText: 'Planner app' });
    await card.getByRole('button', { name: 'Disconnect' }).click();
    await page
      .getByRole('dialog', { name: 'Disconnect “Planner app”?' })
      .getByRole('button', { name: 'Disconnect' })
      .click();
    await page.getByText('No app is connected.', { exact: false }).waitFor();
    expect((await statusOn(ctx.base, app.accessToken)).mcp).toBe(401);
  });

  it('mints an agent token shown once, with set-ups to paste and copy, and revokes it so the agent is refused', async () => {
    await signedIn('sam');
    await chromium.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.base });
    const token = await mintInApp('Read-only helper', { readOnly: true, audience: 'Both' });
    expect(token).toMatch(/^eyJ/);
    const snippets = page.locator('#minted-snippets');
    expect(await snippets.getByRole('heading').allTextContents()).toEqual([
      'VS Code',
      'Claude Code',
      'MCP Inspector',
      'curl',
    ]);
    const code = await snippets.locator('pre').allTextContents();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own input variable, as the page shows it.
    const prompted = 'Bearer ${input:todos-token}';
    expect(JSON.parse(code[0] ?? '')).toEqual({
      servers: {
        todos: { type: 'http', url: `${ctx.base}/mcp`, headers: { Authorization: prompted } },
      },
      inputs: [
        { id: 'todos-token', type: 'promptString', password: true, description: 'todos access token' },
      ],
    });
    expect(code[1]).toBe(
      `claude mcp add --transport http todos ${ctx.base}/mcp --header "Authorization: Bearer ${token}"`,
    );
    expect(code[2]).toContain(
      `--cli ${ctx.base}/mcp --transport http --header "Authorization: Bearer ${token}"`,
    );
    expect(code[3]).toBe(`curl -H "Authorization: Bearer ${token}" ${ctx.base}/api/todos`);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(announced).toBe('Copied.');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshots(page, 'agents');

    const tokenCard = page.locator('#token-list > li', { hasText: 'Read-only helper' });
    expect(await tokenCard.textContent()).toContain('Can read your todos, through the REST API and MCP');
    expect(await statusOn(ctx.base, token)).toEqual({ api: 200, mcp: 200 });

    // Once the person has it, the page lets go of it.
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.locator('#minted').isHidden()).toBe(true);
    expect(await page.locator('#minted-token').inputValue()).toBe('');

    await tokenCard.getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke “Read-only helper”?' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await tokenCard.getByText('Revoked', { exact: true }).waitFor();
    expect(await tokenCard.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await statusOn(ctx.base, token)).toEqual({ api: 401, mcp: 401 });
  });
});
