// The web app in a real Chromium: signing up, in and out on the shared pages; the list
// (create, edit, complete, delete, filters, sort, paging, overdue and due today); the
// conflict dialog when an agent's update lands between load and save; and no serious
// accessibility violation on any view, light or dark.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { by, createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect } from '../mcp/mcp-helpers.ts';
import {
  BROWSER_TEST_TIMEOUT_MS,
  type Chromium,
  launchChromium,
  seriousAccessibilityViolations,
} from './chromium.ts';
import { addTodo, day, openView, row, saveScreenshots, signInToApp, signUpInApp } from './web-app-page.ts';

describe('the web app in Chromium', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
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

  /** A new person, signed in to the app in a fresh page. */
  async function signedIn(): Promise<TestUser> {
    const user = await ctx.signUp();
    await chromium.context.clearCookies();
    if (page && !page.isClosed()) await page.close();
    page = await chromium.context.newPage();
    await signInToApp(page, ctx.base, user.username);
    return user;
  }

  const titles = () => page.locator('#todo-list .todo-title').allTextContents();
  const stored = (user: TestUser) =>
    ctx.services.todos.list(user.id, { sort: 'createdAt', order: 'asc', limit: 100 });

  it('creates an account on the shared sign-up page, signs out, and signs back in to the app', async () => {
    await chromium.context.clearCookies();
    page = await chromium.context.newPage();
    await signUpInApp(page, ctx.base, `newcomer_${process.pid}`);
    expect(await page.locator('.who').textContent()).toBe(`Signed in as newcomer_${process.pid}`);
    expect(await page.title()).toBe('Todos · todos');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/oauth\/sign-in\?return_to=%2F$/);
    await signInToApp(page, ctx.base, `newcomer_${process.pid}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your todos');
  });

  it('adds, edits, completes and deletes todos, and marks the overdue and those due today', async () => {
    const user = await signedIn();
    await addTodo(page, { title: 'Pay the rent', priority: 5, dueDate: day(-2) });
    await addTodo(page, { title: 'Water the plants', dueDate: day(0), description: 'Both balconies' });
    await addTodo(page, { title: 'Plan the holiday', priority: 2, dueDate: day(30) });
    expect(await titles()).toEqual(['Plan the holiday', 'Water the plants', 'Pay the rent']);
    expect(await row(page, 'Pay the rent').locator('.due').textContent()).toMatch(/^Overdue: due /);
    expect(await row(page, 'Water the plants').locator('.due').textContent()).toBe('Due today');
    expect(await row(page, 'Plan the holiday').locator('.due').textContent()).toMatch(/^Due /);
    expect(await row(page, 'Water the plants').locator('.todo-changed').textContent()).toMatch(
      /^Created by you, on the web · /,
    );

    await row(page, 'Plan the holiday').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit todo' });
    await dialog.getByLabel('Title').fill('Plan the summer holiday');
    await dialog.getByLabel('Priority').selectOption('4');
    await dialog.getByLabel('Due date').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await row(page, 'Plan the summer holiday').waitFor();
    await expect.poll(() => row(page, 'Plan the summer holiday').locator('.due').isHidden()).toBe(true);

    await row(page, 'Pay the rent').getByRole('checkbox', { name: 'Done: Pay the rent' }).check();
    await expect
      .poll(async () => (await stored(user)).items.find((todo) => todo.title === 'Pay the rent')?.completed)
      .toBe(true);
    // A done todo is no longer late.
    await expect.poll(() => row(page, 'Pay the rent').locator('.due').textContent()).toMatch(/^Due /);

    // Delete asks first: Cancel keeps it, Delete removes it.
    await row(page, 'Water the plants').getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete “Water the plants”?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await row(page, 'Water the plants').getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(titles).toEqual(['Plan the summer holiday', 'Pay the rent']);

    const items = (await stored(user)).items.map(({ title, priority, dueDate, completed }) => ({
      title,
      priority,
      dueDate,
      completed,
    }));
    expect(items).toEqual([
      { title: 'Pay the rent', priority: 5, dueDate: day(-2), completed: true },
      { title: 'Plan the summer holiday', priority: 4, dueDate: null, completed: false },
    ]);
  });

  it('says what is wrong beside the title, without sending a request for an empty one', async () => {
    await signedIn();
    const form = page.locator('#new-todo');
    await form.getByRole('button', { name: 'Add todo' }).click();
    expect(await form.locator('#new-todo-error').textContent()).toBe('Enter a title.');
    expect(await form.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#new-title:focus').count()).toBe(1);
  });

  it('filters by status, priority, text and due date, and sorts', async () => {
    const user = await signedIn();
    const seed = [
      { title: 'Buy milk', priority: 2, dueDate: day(1), description: 'oat milk' },
      { title: 'Call the plumber', priority: 5, dueDate: day(3) },
      { title: 'File the taxes', priority: 5, dueDate: day(10) },
      { title: 'Read a book', priority: 1 },
    ];
    for (const todo of seed) await ctx.services.todos.create(by(user), todo);
    const taxes = (await stored(user)).items.find((todo) => todo.title === 'File the taxes');
    await ctx.services.todos.patch(by(user), taxes?.id ?? '', { completed: true });
    await page.reload();
    // Created within the same millisecond, some todos tie on createdAt: compare those as sets.
    const titleSet = async () => (await titles()).toSorted();
    await expect.poll(titleSet).toEqual(['Buy milk', 'Call the plumber', 'File the taxes', 'Read a book']);

    const filters = page.getByRole('search', { name: 'Filter and sort todos' });
    await filters.getByLabel('Show').selectOption('open');
    await expect.poll(titleSet).toEqual(['Buy milk', 'Call the plumber', 'Read a book']);
    await filters.getByLabel('Priority').selectOption('5');
    await expect.poll(titles).toEqual(['Call the plumber']);
    await filters.getByLabel('Show').selectOption('done');
    await expect.poll(titles).toEqual(['File the taxes']);
    await filters.getByLabel('Show').selectOption('all');
    await expect.poll(titleSet).toEqual(['Call the plumber', 'File the taxes']);
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await filters.getByLabel('Text').fill('MILK');
    await expect.poll(titles).toEqual(['Buy milk']);
    await filters.getByLabel('Text').fill('');
    await filters.getByLabel('Due on or before').fill(day(3));
    await filters.getByLabel('Sort').selectOption('dueDate:asc');
    await expect.poll(titles).toEqual(['Buy milk', 'Call the plumber']);
    await filters.getByLabel('Due on or before').fill('');
    await filters.getByLabel('Sort').selectOption('priority:desc');
    await expect.poll(async () => (await titles()).slice(2)).toEqual(['Buy milk', 'Read a book']);
  });

  it('pages by cursor: twenty at a time, then more on request, until there are no more', async () => {
    const user = await signedIn();
    for (let n = 1; n <= 45; n++)
      await ctx.services.todos.create(by(user), { title: `Todo ${String(n).padStart(2, '0')}` });
    await page.reload();
    const filters = page.getByRole('search', { name: 'Filter and sort todos' });
    await filters.getByLabel('Sort').selectOption('createdAt:asc');
    await expect.poll(() => titles().then((shown) => shown.length)).toBe(20);
    const more = page.getByRole('button', { name: 'Show more' });
    await more.click();
    await expect.poll(() => titles().then((shown) => shown.length)).toBe(40);
    await more.click();
    await expect.poll(() => titles().then((shown) => shown.length)).toBe(45);
    expect(await more.isHidden()).toBe(true);
    // The API's own order for the same sort: every todo once, none skipped at a page boundary.
    const order = (await stored(user)).items.map((todo) => todo.title);
    expect(await titles()).toEqual(order);
    expect(new Set(order).size).toBe(45);
    expect(await page.locator('#todo-summary').textContent()).toBe('Showing 45 todos.');
  });

  it('shows both versions when an agent’s update lands between opening and saving, and keeps the one chosen', async () => {
    const user = await signedIn();
    await addTodo(page, { title: 'Book the venue', description: 'For forty people' });
    const [todo] = (await stored(user)).items;
    const agent = await connect(ctx.base, user, 'modern');
    clients.push(agent);

    await row(page, 'Book the venue').getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByRole('dialog', { name: 'Edit todo' });
    await editor.getByLabel('Title').fill('Book the venue for Friday');
    const update = await agent.client.callTool({
      name: 'update_todo',
      arguments: { id: todo?.id, title: 'Book the venue for Saturday', description: 'For fifty people' },
    });
    expect(update.isError).toBeFalsy();
    // The editor says so as soon as the change arrives; the form keeps what the person typed.
    await expect
      .poll(() => editor.locator('#edit-stale').textContent())
      .toMatch(/was just changed by you, through MCP/);
    await editor.getByRole('button', { name: 'Save' }).click();

    const conflict = page.getByRole('dialog', { name: 'This todo changed meanwhile' });
    await conflict.waitFor();
    const cells = await conflict.locator('tbody tr').first().locator('th, td').allTextContents();
    expect(cells).toEqual(['Title', 'Book the venue for Friday', 'Book the venue for Saturday']);
    expect(await conflict.locator('#conflict-intro').textContent()).toMatch(
      /^“Book the venue for Saturday” was changed after you opened it \(by you, through MCP\)\. Its description also changed; that change stays whichever you choose\./,
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshots(page, 'conflict');
    await conflict.getByRole('button', { name: 'Keep my version' }).click();
    await row(page, 'Book the venue for Friday').waitFor();
    expect(await ctx.services.todos.get(user.id, todo?.id ?? '')).toMatchObject({
      title: 'Book the venue for Friday',
      description: 'For fifty people',
      version: 3,
    });

    // The other choice writes nothing.
    await row(page, 'Book the venue for Friday').getByRole('button', { name: 'Edit' }).click();
    await editor.getByLabel('Title').fill('Book the venue, mine');
    await agent.client.callTool({
      name: 'update_todo',
      arguments: { id: todo?.id, title: 'Book the venue, theirs' },
    });
    await editor.getByRole('button', { name: 'Save' }).click();
    await conflict.getByRole('button', { name: 'Keep the current version' }).click();
    await row(page, 'Book the venue, theirs').waitFor();
    expect(await ctx.services.todos.get(user.id, todo?.id ?? '')).toMatchObject({
      title: 'Book the venue, theirs',
      version: 4,
    });
  });

  it('has no serious or critical accessibility violation on any view or dialog, in light and dark', async () => {
    const user = await signedIn();
    await ctx.services.todos.create(by(user), { title: 'Overdue', dueDate: day(-1), priority: 5 });
    await ctx.services.todos.create(by(user), {
      title: 'Due today',
      dueDate: day(0),
      description: 'Two lines\nof text',
    });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.reload();
      await row(page, 'Due today').waitFor();
      expect(await seriousAccessibilityViolations(page), `todos, ${scheme}`).toEqual([]);
      await row(page, 'Overdue').getByRole('button', { name: 'Edit' }).click();
      expect(await seriousAccessibilityViolations(page), `edit dialog, ${scheme}`).toEqual([]);
      await page.keyboard.press('Escape');
      await row(page, 'Overdue').getByRole('button', { name: 'Delete' }).click();
      expect(await seriousAccessibilityViolations(page), `confirm dialog, ${scheme}`).toEqual([]);
      await page.keyboard.press('Escape');
      await openView(page, 'Activity');
      await page.locator('.activity-entry').first().waitFor();
      expect(await seriousAccessibilityViolations(page), `activity, ${scheme}`).toEqual([]);
      await openView(page, 'Agents');
      await page.getByLabel('Name').fill(`Agent in ${scheme}`);
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.locator('#token-list li').first().waitFor();
      expect(await seriousAccessibilityViolations(page), `agents, ${scheme}`).toEqual([]);
      await openView(page, 'Todos');
    }
    // The shared pages a person meets on the way in, in the dark too.
    await chromium.context.clearCookies();
    await page.goto(`${ctx.base}/`);
    expect(await seriousAccessibilityViolations(page), 'sign-in, dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
