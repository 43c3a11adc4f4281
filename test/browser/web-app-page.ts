// The web app as a person uses it in Chromium: signing up or in on the shared pages, adding
// todos, finding rows, and the screenshots each run saves.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { PASSWORD } from '../helpers.ts';
import { ROOT } from '../service-process.ts';
import { signInOnPage } from './chromium.ts';

/** Where every run leaves its screenshots (git-ignored); docs/screenshots/ keeps a chosen few. */
export const SCREENSHOTS = join(ROOT, '.artifacts', 'screenshots');
export const WIDTHS = [360, 1280] as const;

/** Opens the app, which sends a new browser to the sign-in page; creates the account there. */
export async function signUpInApp(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${base}/`);
  await waitUntilLive(page);
}

/** Opens the app and signs in on the shared sign-in page, which brings the browser back. */
export async function signInToApp(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/`);
  await signInOnPage(page, username);
  await page.waitForURL(`${base}/`);
  await waitUntilLive(page);
}

export const waitUntilLive = (page: Page) =>
  page.locator('#live-status[data-state="live"]').waitFor({ timeout: 10_000 });

/** The list row of the todo with exactly this title. */
export const row = (page: Page, title: string): Locator =>
  page
    .locator('#todo-list > li')
    .filter({ has: page.locator('.todo-title').getByText(title, { exact: true }) });

/** Adds a todo with the form at the top of the list, and waits for its row. */
export async function addTodo(
  page: Page,
  todo: { title: string; priority?: number; dueDate?: string; description?: string },
): Promise<void> {
  const form = page.locator('#new-todo');
  await form.getByLabel('Title').fill(todo.title);
  if (todo.priority !== undefined) await form.getByLabel('Priority').selectOption(String(todo.priority));
  if (todo.dueDate !== undefined) await form.getByLabel('Due date').fill(todo.dueDate);
  if (todo.description !== undefined) await form.getByLabel('Description').fill(todo.description);
  await form.getByRole('button', { name: 'Add todo' }).click();
  await row(page, todo.title).waitFor();
}

/** Opens a view by its link in the top bar, and waits for it to show. */
export async function openView(page: Page, name: 'Todos' | 'Activity' | 'Agents'): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: name === 'Todos' ? 'Your todos' : name }).waitFor();
}

/** Saves the page at a phone's and a desktop's width, full length: `<name>-360.png`, `<name>-1280.png`. */
export async function saveScreenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 360 ? 760 : 900 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

/** A YYYY-MM-DD day `offset` days from today, in the browser's (and this machine's) time zone. */
export function day(offset: number): string {
  const date = new Date();
  date.setDate(date.getDate() + offset);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
