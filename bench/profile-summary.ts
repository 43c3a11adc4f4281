// Reads the .cpuprofile files `--cpu-prof` wrote and prints where the time went: the top
// functions by self time, and self time by package (our src, each dependency, node itself,
// garbage collection). `npm run bench -- --profile --only <scenario>` then profiles one
// scenario; or run it directly: node bench/profile-summary.ts <directory or file> [top]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: a package under node_modules, our own code, or the runtime. */
function owner(url: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1]) return inModules[1];
  if (url.includes('/src/')) return `src/${url.split('/src/')[1]?.split('/')[0] ?? ''}`;
  if (url.includes('/bench/')) return 'bench';
  if (url.startsWith('node:')) return 'node';
  return url === '' ? '(runtime)' : url;
}

export function summarize(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/');
    return `${functionName || '(anonymous)'} ${url ? `${where}:${lineNumber + 1}` : ''}`;
  };
  const selfByFunction = new Map<string, number>();
  const totalByFunction = new Map<string, number>();
  const selfByOwner = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url } = node.callFrame;
    const name = label(node);
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + delta);
    // Inclusive time: once per function on the sample's stack, however deep the recursion.
    const onStack = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
      const frame = byId.get(id);
      if (frame) onStack.add(label(frame));
    }
    for (const frame of onStack) totalByFunction.set(frame, (totalByFunction.get(frame) ?? 0) + delta);
    const who = functionName.startsWith('(') ? functionName : owner(url);
    selfByOwner.set(who, (selfByOwner.get(who) ?? 0) + delta);
    total += delta;
  });
  const idle = selfByFunction.get('(idle) ') ?? 0;
  const busy = total - idle;
  const lines = (map: Map<string, number>, count: number) =>
    [...map]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `${file}: ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s sampled`,
    'self time by owner:',
    ...lines(selfByOwner, 15),
    `top ${top} functions by self time:`,
    ...lines(selfByFunction, top),
    `top ${top} functions by total time (self and callees), outside node's own request handling:`,
    ...lines(
      new Map([...totalByFunction].filter(([name]) => !name.startsWith('(root)') && !/ node:/.test(name))),
      top,
    ),
  ].join('\n');
}

/** Summarises the newest profile in a directory (or a given file). */
export function summarizeProfiles(path: string, write: (text: string) => void, top = 25): void {
  const file = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((name) => name.endsWith('.cpuprofile'))
        .map((name) => join(path, name))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
    : path;
  if (!file) throw new Error(`no .cpuprofile in ${path}`);
  write(summarize(file, top));
}

if (import.meta.filename === process.argv[1]) {
  const [path, top] = process.argv.slice(2);
  if (!path) throw new Error('usage: node bench/profile-summary.ts <directory or .cpuprofile> [top]');
  summarizeProfiles(path, (text) => process.stdout.write(`${text}\n`), Number(top ?? 25));
}
