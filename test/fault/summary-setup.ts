// vitest globalSetup: gives every fault test a JSON-lines file to record its counts in, and
// prints their totals once the whole run is over (issue 4: the fault suite's closing figures).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { FaultCounts } from './summary.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    faultSummaryFile: string;
  }
}

export default function setup(project: TestProject): () => void {
  const directory = mkdtempSync(join(tmpdir(), 'todos-fault-summary-'));
  const file = join(directory, 'counts.jsonl');
  project.provide('faultSummaryFile', file);
  return () => {
    if (existsSync(file)) {
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      const sum = totals(lines.map((line) => JSON.parse(line) as Partial<FaultCounts>));
      process.stdout.write(
        `\nfault suite: ${sum.cases} cases generated, ${sum.crashCycles} crash cycles, ` +
          `${sum.writesChecked} acknowledged writes checked, ${sum.writesLost} writes lost\n`,
      );
    }
    rmSync(directory, { recursive: true, force: true });
  };
}

function totals(entries: readonly Partial<FaultCounts>[]): FaultCounts {
  const sum: FaultCounts = { cases: 0, crashCycles: 0, writesChecked: 0, writesLost: 0 };
  for (const entry of entries) {
    sum.cases += entry.cases ?? 0;
    sum.crashCycles += entry.crashCycles ?? 0;
    sum.writesChecked += entry.writesChecked ?? 0;
    sum.writesLost += entry.writesLost ?? 0;
  }
  return sum;
}
