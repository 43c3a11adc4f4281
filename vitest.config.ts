import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Password hashing is real argon2id (tens of ms per call) and some tests start processes.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Prints the fault suite's figures (cases, crash cycles, writes checked and lost) at the end;
    // starts the one PostgreSQL server of the run (each suite makes its own database on it).
    globalSetup: ['test/fault/summary-setup.ts', 'test/postgres/global-setup.ts'],
  },
});
