// Real headless Chromium (Debian's package, installed by .ci/run when missing), driven by
// playwright-core: one browser per test file, with a fresh profile.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { PASSWORD } from '../helpers.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const STEP_TIMEOUT_MS = 20_000;
/** For each browser test: launching Chromium and a sign-in (argon2) are slow on a busy machine. */
export const BROWSER_TEST_TIMEOUT_MS = 90_000;

export interface Chromium {
  context: BrowserContext;
  close: () => Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'todos-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Without the background-networking flags Chromium keeps calling out, and this machine's
    // closed network refuses it many times a second.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Fail at the step that is stuck, well before the test's own timeout, on a loaded machine too.
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/**
 * axe-core's serious and critical violations on the page. The script is evaluated through
 * the DevTools protocol, which the page's CSP (no script at all) does not govern.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // The page's global, which the evaluated script defined; run() checks the whole document.
    type AxeResults = { violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] };
    const { axe } = globalThis as unknown as { axe: { run: () => Promise<AxeResults> } };
    const { violations } = await axe.run();
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.length,
      }));
  });
}

/** Fills our sign-in page as a person would, by its labels. */
export async function signInOnPage(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
