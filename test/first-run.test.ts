// What a newcomer meets before the service runs: a quiet install, and on a Node.js older than
// 24 (the machines ship 20) a plain statement that the version is the problem: the install
// refuses (engine-strict in .npmrc), and the start path says which version it needs before
// anything else loads. Both run under the machine's real old Node.js, in child processes.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { ROOT } from './service-process.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { ...options, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const majorOf = (node: string): number => {
  try {
    return Number(/^v(\d+)/.exec(execFileSync(node, ['--version'], { encoding: 'utf8' }))?.[1]);
  } catch {
    return Number.NaN;
  }
};

/** The first Node.js older than 24 on this machine: the system's own, or one on PATH. */
function oldNode(): string {
  const candidates = [
    '/usr/bin/node',
    '/usr/local/bin/node',
    ...(process.env.PATH ?? '').split(delimiter).map((folder) => join(folder, 'node')),
  ];
  const found = candidates.find((node) => majorOf(node) < 24);
  if (found === undefined) throw new Error(`no Node.js older than 24 found in ${candidates.join(', ')}`);
  return found;
}

describe('npm ci', () => {
  it('has every install script of a dependency reviewed in allowScripts, so it installs without warnings', async () => {
    const listed = await run('npm', ['install-scripts', 'ls'], { cwd: ROOT, env: process.env });
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim()).toBe('No packages with unreviewed install scripts.');
  });
});

describe('an older Node.js', () => {
  let node: string;
  let directory: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    node = oldNode();
    directory = mkdtempSync(join(tmpdir(), 'todos-old-node-'));
    // npm's launcher runs whichever `node` comes first on PATH.
    env = { PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`, HOME: directory };
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('is told by the start path which version todos needs, and nothing else runs', async () => {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().slice(1);
    const started = await run(node, [join(ROOT, 'src/start.js')], { cwd: directory, env });
    expect(started.code).toBe(1);
    expect(started.stdout).toBe('');
    expect(started.stderr).toMatch(new RegExp(`^todos needs Node\\.js 24 or newer; you have ${version}\\.`));
    expect(started.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('cannot install the dependencies: npm ci stops at the engine check', async () => {
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
      copyFileSync(join(ROOT, file), join(directory, file));
    }
    const installed = await run('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], {
      cwd: directory,
      env,
    });
    expect(installed.code).not.toBe(0);
    expect(installed.stderr).toContain('EBADENGINE');
    expect(installed.stderr).toContain('Required: {"node":">=24"}');
  });

  it('is named the same in package.json, .nvmrc and the start check', () => {
    expect(packageJson.engines.node).toBe('>=24');
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe('24');
    expect(readFileSync(join(ROOT, 'src/start.js'), 'utf8')).toContain('const MINIMUM = 24;');
  });
});
