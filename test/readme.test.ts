// The README, run as a newcomer runs it: every shell block (```sh, ```bash, ```shell), top to
// bottom, in one bash shell from the checkout, against a freshly started service, with no edit
// but the `BASE=` line, which points at the service's port. So the README cannot rot again.
//
// Conventions for the README's authors:
// - A shell block that cannot run here (it installs or starts the service, which this test
//   does itself, or needs another program: `claude mcp add`, an editor, a database server)
//   carries a marker in an HTML comment on the line before its fence, saying why:
//       <!-- readme-test: skip (needs Claude Code installed) -->
//   Every other shell block runs, including those of sections added later. Blocks in other
//   languages (json, the layout listing) never run.
// - Shell blocks name the service as $BASE, never a literal address: one host throughout.
// - A block must succeed: the shell runs with `set -euo pipefail`, and the output may hold no
//   problem+json, JSON-RPC or OAuth error, no tool error, no 4xx/5xx status and no `undefined`
//   (what a missing JSON field printed before the README's `field` helper).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  killService,
  ROOT,
  type ServiceProcess,
  startService,
  stopService,
  waitForHealth,
} from './service-process.ts';

interface Block {
  line: number;
  code: string;
  skip: string | undefined;
}

const FENCE = /^```(\w*)\s*$/;
const SKIP = /^<!-- readme-test: skip \((.+)\) -->$/;
const SHELLS = new Set(['sh', 'bash', 'shell']);
const README_BASE = /^BASE=http:\/\/localhost:3000$/m;
// Run from the checkout, an unmarked block with one of these would reinstall its node_modules
// or start a second service and hang: the test refuses to run such a README at all.
const MUST_BE_MARKED = /\bnpm (ci|install|i|start|test|run)\b|\bnode src\/(start|main)\b/;
const RUN_DEADLINE_MS = 90_000;

/** The README's shell blocks in order, each with the reason it is skipped, if marked. */
function shellBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const language = FENCE.exec(lines[index] ?? '')?.[1];
    if (language === undefined) continue;
    const end = lines.findIndex((line, at) => at > index && line.startsWith('```'));
    if (end === -1) throw new Error(`README line ${index + 1}: a code block is never closed`);
    if (SHELLS.has(language)) {
      let before = index - 1;
      while (before >= 0 && lines[before]?.trim() === '') before--;
      blocks.push({
        line: index + 1,
        code: lines.slice(index + 1, end).join('\n'),
        skip: SKIP.exec(lines[before] ?? '')?.[1],
      });
    }
    index = end;
  }
  return blocks;
}

// What a block that went wrong prints, though each of its commands exited 0.
const FAILURE_SIGNS: [sign: RegExp, meaning: string][] = [
  [/urn:todos:problem:/, 'a problem+json answer'],
  [/"error"\s*:/, 'a JSON-RPC or OAuth error'],
  [/"isError"\s*:\s*true/, 'a tool error'],
  [/^HTTP\/[\d.]+ [45]\d\d/m, 'a 4xx or 5xx status line'],
  [/^[45]\d\d$/m, 'a 4xx or 5xx status code'],
  [/\bundefined\b/, '"undefined", a field missing from an answer'],
];

describe('the README', () => {
  const blocks = shellBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const runnable = blocks.filter((block) => block.skip === undefined);
  let directory: string;
  let service: ServiceProcess;
  let port: number;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'todos-readme-'));
    port = await freePort();
    // The defaults a newcomer has, but a database of its own; PUBLIC_URL follows PORT.
    service = startService({ cwd: directory, port, env: { DATABASE_PATH: join(directory, 'todos.db') } });
    await waitForHealth(service);
  });

  afterAll(async () => {
    await stopService(service).catch(() => undefined);
    killService(service);
    rmSync(directory, { recursive: true, force: true });
  });

  /** Fails before anything runs when a block would install, start or reach elsewhere. */
  function expectSafeToRun(): void {
    expect(runnable.length).toBeGreaterThan(3);
    const assignments = runnable
      .flatMap((block) => block.code.split('\n'))
      .filter((line) => /^BASE=/.test(line));
    expect(assignments).toEqual(['BASE=http://localhost:3000']);
    for (const block of runnable) {
      const where = `README line ${block.line}`;
      const literal = block.code.split('\n').find((line) => !/^BASE=/.test(line) && /https?:\/\//.test(line));
      expect(literal, `${where}: name the service as $BASE`).toBeUndefined();
      expect(
        MUST_BE_MARKED.exec(block.code)?.[0],
        `${where}: mark the block readme-test: skip`,
      ).toBeUndefined();
    }
  }

  it('has shell blocks that name the service as $BASE and that it can run', () => {
    expectSafeToRun();
  });

  it('runs every shell block in order in one shell against a fresh service', async () => {
    expectSafeToRun();
    const script = [
      'exec 2>&1', // one stream, so that the output reads in the order it was written
      'set -euo pipefail',
      ...runnable.flatMap((block) => [
        `echo "### README line ${block.line}"`,
        block.code.replace(README_BASE, `BASE=http://localhost:${port}`),
      ]),
    ].join('\n');
    const { code, output } = await runBash(script, directory);
    expect(code, output).toBe(0);
    for (const [sign, meaning] of FAILURE_SIGNS) {
      expect(sign.exec(output), `${meaning} in the output:\n${output}`).toBeNull();
    }
    // The service logged no error of its own either.
    const errors = service
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{') && (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  }, 120_000);
});

/**
 * Runs a script in bash from the checkout, as a newcomer's terminal would, with a home of its
 * own. In its own process group, so that nothing it started outlives a deadline.
 */
function runBash(script: string, home: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd: ROOT,
      // No proxy (the Inspector fails every call through one), and its state kept in `home`.
      env: { PATH: process.env.PATH ?? '', HOME: home, MCP_STORAGE_DIR: join(home, 'inspector') },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    const deadline = setTimeout(() => {
      output += `\n### killed after ${RUN_DEADLINE_MS} ms`;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, RUN_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, output });
    });
  });
}
