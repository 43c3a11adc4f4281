// The main flow of the web app by keyboard alone, in Chromium: sign in, add, complete, edit,
// delete and move between views, with the focus always where the person expects it and
// always visible.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import { BROWSER_TEST_TIMEOUT_MS, type Chromium, launchChromium } from './chromium.ts';
import { row, waitUntilLive } from './web-app-page.ts';

describe('the web app by keyboard alone', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let ctx: TestContext & { base: string };
  let chromium: Chromium;
  let user: TestUser;
  let page: Page;

  beforeAll(async () => {
    ctx = await createListeningContext();
    user = await ctx.signUp();
    chromium = await launchChromium();
    page = await chromium.context.newPage();
  }, BROWSER_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await chromium.close();
    await ctx.close();
  });

  const focused = (selector: string) =>
    page
      .locator(`${selector}:focus`)
      .count()
      .then((count) => count === 1);

  /** Presses Tab (or Shift+Tab) until `selector` has the focus; fails if it never comes. */
  async function tabTo(selector: string, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
    for (let presses = 0; presses < 60; presses++) {
      if (await focused(selector)) {
        expect(await focusIsVisible(), `the focus on ${selector} is visible`).toBe(true);
        return;
      }
      await page.keyboard.press(key);
    }
    throw new Error(`${selector} never took the focus`);
  }

  /** The focused element draws an outline (focus-visible), as keyboard users need. */
  const focusIsVisible = () =>
    page.locator(':focus').evaluate((element) => {
      const style = element.ownerDocument.defaultView?.getComputedStyle(element);
      return (
        style !== undefined && style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2
      );
    });

  it('signs in, adds, completes, edits and deletes a todo, and switches views', async () => {
    await page.goto(`${ctx.base}/`);
    await tabTo('#field-username');
    await page.keyboard.type(user.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${ctx.base}/`);
    await waitUntilLive(page);

    // The first stop is the skip link, which leads past the top bar.
    await page.keyboard.press('Tab');
    expect(await focused('.skip-link')).toBe(true);
    await tabTo('#new-title');
    await page.keyboard.type('Typed, not clicked');
    await page.keyboard.press('Enter');
    await row(page, 'Typed, not clicked').waitFor();
    expect(await focused('#new-title')).toBe(true); // ready for the next one

    await tabTo('#todo-list input[aria-label="Done: Typed, not clicked"]');
    await page.keyboard.press('Space');
    await expect
      .poll(
        async () =>
          (await ctx.services.todos.list(user.id, { sort: 'createdAt', order: 'asc', limit: 10 })).items[0]
            ?.completed,
      )
      .toBe(true);

    await tabTo('#todo-list [data-action="edit"]');
    await page.keyboard.press('Enter');
    expect(await focused('#edit-title')).toBe(true);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Edited by keyboard');
    await page.keyboard.press('Enter');
    await row(page, 'Edited by keyboard').waitFor();
    expect(await focused('#todo-list [data-action="edit"]')).toBe(true);
    // Escape leaves the editor without saving, back where the person was.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    expect(await page.locator('#edit-dialog').isHidden()).toBe(true);
    expect(await focused('#todo-list [data-action="edit"]')).toBe(true);

    await tabTo('#todo-list [data-action="delete"]');
    await page.keyboard.press('Enter');
    expect(await focused('#confirm-dialog [data-choice="no"]')).toBe(true); // Enter alone destroys nothing
    await page.keyboard.press('Shift+Tab');
    expect(await focused('#confirm-yes')).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#todo-list > li').count()).toBe(0);
    expect(await focused('#todos-heading')).toBe(true);

    await tabTo('[data-view-link="activity"]', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused('#activity-heading')).toBe(true);
    await expect.poll(() => page.locator('#activity-list > li').count()).toBe(4);
  });
});
