// Clients we did not write, against the started service (`npm start` on a temporary
// database and port): the MCP Inspector CLI and the official conformance suite. Our own
// tests prove what we meant; these prove that what we meant is what the protocol says.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  killService,
  ROOT,
  type ServiceProcess,
  signIn,
  startService,
  stopService,
  waitForHealth,
} from '../service-process.ts';
import { startAuthProxy } from './auth-proxy.ts';

const BIN = resolve(ROOT, 'node_modules/.bin');
const GENERIC_SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'prompts-list',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI without a shell; never throws on a non-zero exit, so tests can assert on it. */
function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(
      resolve(BIN, command),
      args,
      { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('clients we did not write, against `npm start`', () => {
  let directory: string;
  let service: ServiceProcess;
  let token: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'todos-interop-'));
    service = startService({
      cwd: directory,
      port: await freePort(),
      via: 'npm',
      env: { DATABASE_PATH: join(directory, 'todos.db'), LOG_LEVEL: 'warn' },
    });
    await waitForHealth(service);
    token = await signIn(service.base, 'interop');
    // The Inspector keeps state under its storage dir and fails every call through a proxy.
    env = { PATH: process.env.PATH ?? '', HOME: directory, MCP_STORAGE_DIR: join(directory, 'inspector') };
  }, 60_000);

  afterAll(async () => {
    // npm itself dies of the SIGTERM it does not forward; main-process.test.ts checks node's exit.
    await stopService(service).catch(() => undefined);
    killService(service);
    rmSync(directory, { recursive: true, force: true });
  });

  const inspect = (args: string[], withToken = true) =>
    run(
      'mcp-inspector',
      [
        '--cli',
        `${service.base}/mcp`,
        '--transport',
        'http',
        '--format',
        'json',
        ...(withToken ? ['--header', `Authorization: Bearer ${token}`] : []),
        ...args,
      ],
      env,
    );
  const result = (output: Run) => (JSON.parse(output.stdout) as { result: Record<string, unknown> }).result;

  describe('MCP Inspector CLI', () => {
    let createdId: string;

    it('lists the five tools', async () => {
      const output = await inspect(['--method', 'tools/list']);
      expect(output.code).toBe(0);
      const tools = result(output).tools as { name: string }[];
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'create_todo',
        'delete_todo',
        'get_all_todos',
        'get_todo_by_id',
        'update_todo',
      ]);
    });

    it("passes the Inspector's strict schema-portability lint without a warning", async () => {
      const output = await inspect(['--method', 'tools/list', '--strict']);
      expect(output.code).toBe(0);
      // Problems are reported on stderr (exit 6 only for errors); a clean run reports nothing.
      expect(output.stderr).toBe('');
      expect((result(output).tools as unknown[]).length).toBe(5);
    });

    it('creates a todo and gets it back through tools/call', async () => {
      const created = await inspect([
        '--method',
        'tools/call',
        '--tool-name',
        'create_todo',
        '--tool-args-json',
        '{"title":"Buy milk","priority":4}',
      ]);
      expect(created.code).toBe(0);
      const todo = result(created).structuredContent as { id: string; title: string; priority: number };
      expect(todo).toMatchObject({ title: 'Buy milk', priority: 4 });
      createdId = todo.id;

      const fetched = await inspect([
        '--method',
        'tools/call',
        '--tool-name',
        'get_todo_by_id',
        '--tool-args-json',
        JSON.stringify({ id: createdId }),
      ]);
      expect(fetched.code).toBe(0);
      expect(result(fetched).structuredContent).toEqual(todo);
    });

    it('lists and reads the todo as a resource', async () => {
      const listed = await inspect(['--method', 'resources/list']);
      expect(listed.code).toBe(0);
      const uris = (result(listed).resources as { uri: string }[]).map((resource) => resource.uri);
      expect(uris).toContain(`todo://${createdId}`);

      const read = await inspect(['--method', 'resources/read', '--uri', `todo://${createdId}`]);
      expect(read.code).toBe(0);
      const [content] = result(read).contents as { text: string; mimeType: string }[];
      expect(content?.mimeType).toBe('application/json');
      expect(JSON.parse(content?.text ?? '{}')).toMatchObject({ id: createdId, title: 'Buy milk' });
    });

    it('lists and gets the plan_my_day prompt', async () => {
      const listed = await inspect(['--method', 'prompts/list']);
      expect(listed.code).toBe(0);
      expect((result(listed).prompts as { name: string }[]).map((prompt) => prompt.name)).toContain(
        'plan_my_day',
      );

      const prompt = await inspect([
        '--method',
        'prompts/get',
        '--prompt-name',
        'plan_my_day',
        '--prompt-args',
        'focus=errands',
      ]);
      expect(prompt.code).toBe(0);
      const [message] = result(prompt).messages as { content: { text: string } }[];
      expect(message?.content.text).toContain('"Buy milk"');
      expect(message?.content.text).toContain('errands');
    });

    it('exits 3 (authentication required) without a token, and never starts an OAuth flow', async () => {
      const output = await inspect(['--stored-auth-only', '--method', 'tools/list'], false);
      expect(output.code).toBe(3);
      expect(output.stdout).toBe('');
    });
  });

  describe('conformance suite', () => {
    it('passes every generic scenario, with only the committed baseline failing', async () => {
      // It cannot send a token: a loopback proxy adds one and forwards the rest untouched.
      const proxy = await startAuthProxy(new URL(service.base), token);
      const results = join(directory, 'conformance');
      try {
        const output = await run(
          'conformance',
          [
            'server',
            '--url',
            `${proxy.url}/mcp`,
            '--expected-failures',
            resolve(import.meta.dirname, 'conformance-baseline.yml'),
            '-o',
            results,
          ],
          env,
        );
        const summary = stripVTControlCharacters(output.stdout);
        expect(summary, summary).toMatch(/Total: \d+ passed, \d+ failed/);
        expect(output.code, summary).toBe(0);
      } finally {
        await proxy.close();
      }
      // Exit 0 allows listed failures; the generic scenarios must each have passed outright.
      for (const scenario of GENERIC_SCENARIOS) {
        const folder = readdirSync(results).find((name) => name.startsWith(`server-${scenario}-`));
        expect(folder, scenario).toBeDefined();
        const checks = JSON.parse(readFileSync(join(results, folder ?? '', 'checks.json'), 'utf8')) as {
          status: string;
        }[];
        expect(checks.length, scenario).toBeGreaterThan(0);
        expect(
          checks.map((check) => check.status),
          scenario,
        ).toEqual(checks.map(() => 'SUCCESS'));
      }
    });
  });
});
