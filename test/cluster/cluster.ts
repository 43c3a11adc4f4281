// Several service processes on one PostgreSQL database behind a real nginx, started with the
// example configuration the README gives (deploy/nginx-todos.conf, its ports rewritten).
// nginx comes from Debian's packages: .ci/run installs it when missing.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort,
  killService,
  ROOT,
  type ServiceProcess,
  startService,
  stopService,
  waitForHealth,
} from '../service-process.ts';

export const CLUSTER_SECRET = 'cluster-secret-of-at-least-32-bytes-long!';
const NGINX_TEMPLATE = resolve(ROOT, 'deploy/nginx-todos.conf');

export interface Cluster {
  /** The balancer's URL: what every client uses. */
  base: string;
  processes: ServiceProcess[];
  /** The URL each process listens on, for tests that bypass the balancer. */
  direct: string[];
  /** Starts process i again (after it stopped or was killed) and waits until it is healthy. */
  restart(i: number): Promise<void>;
  /** Which processes logged a request with this id (the x-request-id a test sent). */
  servedBy(requestId: string): number[];
  stop(): Promise<void>;
}

export interface ClusterOptions {
  databaseUrl: string;
  processes?: number;
  /** Extra environment for every process. */
  env?: Record<string, string>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.processes ?? 3;
  const directory = mkdtempSync(join(tmpdir(), 'todos-cluster-'));
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const balancerPort = await freePort();
  const base = `http://127.0.0.1:${balancerPort}`;
  const env = {
    DATABASE_URL: options.databaseUrl,
    JWT_SECRET: CLUSTER_SECRET,
    PUBLIC_URL: base,
    TRUST_PROXY: 'loopback',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const start = (i: number) => startService({ cwd: directory, port: ports[i] ?? 0, env });
  const processes = ports.map((_, i) => start(i));
  // Every process's output, across restarts, to find which one served a request.
  const earlier: string[] = ports.map(() => '');
  let nginx: ChildProcess | undefined;
  try {
    await Promise.all(processes.map((each) => waitForHealth(each)));
    nginx = await startNginx(directory, balancerPort, ports);
  } catch (error) {
    for (const each of processes) killService(each);
    nginx?.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    base,
    processes,
    direct: ports.map((port) => `http://127.0.0.1:${port}`),
    async restart(i) {
      const old = processes[i];
      if (old) earlier[i] += old.stdout();
      const fresh = start(i);
      processes[i] = fresh;
      await waitForHealth(fresh);
    },
    servedBy(requestId) {
      const needle = `"reqId":${JSON.stringify(requestId)}`;
      return processes.flatMap((each, i) => (`${earlier[i]}${each.stdout()}`.includes(needle) ? [i] : []));
    },
    async stop() {
      await Promise.all(processes.map((each) => stopService(each).catch(() => killService(each))));
      if (nginx && nginx.exitCode === null) {
        const exited = once(nginx, 'exit');
        nginx.kill('SIGQUIT');
        await Promise.race([exited, sleep(5_000)]);
        nginx.kill('SIGKILL');
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The example configuration with this run's ports, inside a minimal main configuration. */
function nginxConfig(directory: string, balancerPort: number, ports: number[]): string {
  // Each upstream server line of the example gets one process's port, with its own parameters.
  let servers = 0;
  const example = readFileSync(NGINX_TEMPLATE, 'utf8')
    .replace(/^(\s*server )127\.0\.0\.1:\d+(.*;)$/gm, (_, lead: string, rest: string) => {
      const port = ports[servers++];
      return port === undefined ? '' : `${lead}127.0.0.1:${port}${rest}`;
    })
    .replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${balancerPort};`);
  if (servers < ports.length || !example.includes(`127.0.0.1:${balancerPort};`))
    throw new Error('deploy/nginx-todos.conf no longer has the server and listen lines the tests rewrite');
  const temp = (name: string) => join(directory, 'nginx', name);
  return `
daemon off;
worker_processes 1;
pid ${temp('nginx.pid')};
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
${example}
}
`;
}

async function startNginx(directory: string, balancerPort: number, ports: number[]): Promise<ChildProcess> {
  // nginx's workers drop root for `nobody`, who must be able to reach its temp folders.
  chmodSync(directory, 0o755);
  for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(directory, 'nginx', name), { recursive: true, mode: 0o777 });
    chmodSync(join(directory, 'nginx', name), 0o777);
  }
  const config = join(directory, 'nginx', 'nginx.conf');
  writeFileSync(config, nginxConfig(directory, balancerPort, ports));
  const binary = nginxBinary();
  // `nginx -t` first: a configuration error is reported as such, not as a balancer that never answers.
  execFileSync(binary, ['-t', '-q', '-p', join(directory, 'nginx'), '-c', config], { stdio: 'pipe' });
  const child = spawn(binary, ['-p', join(directory, 'nginx'), '-c', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${balancerPort}/health/live`)).ok) return child;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not answer: ${stderr}`);
}

function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('nginx is not installed: apt-get install -y nginx-light (.ci/run does it)');
}
