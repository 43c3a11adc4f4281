import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseUnusableError, type Db, openDatabase } from '../../src/repositories/sqlite/database.ts';
import { migrations } from '../../src/repositories/sqlite/migrations.ts';
import { makeImmutable, releaseDirectory } from '../immutable-files.ts';

describe('openDatabase', () => {
  let dir: string;
  let path: string;
  const opened: Db[] = [];

  const open = (options?: Parameters<typeof openDatabase>[1]) => {
    const db = openDatabase(path, options);
    opened.push(db);
    return db;
  };
  const pragma = (db: Db, name: string) => db.pragma(name, { simple: true });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'todos-db-'));
    path = join(dir, 'nested', 'todos.db');
  });
  afterEach(() => {
    for (const db of opened.splice(0)) if (db.open) db.close();
    releaseDirectory(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses write-ahead logging', () => {
    expect(pragma(open(), 'journal_mode')).toBe('wal');
  });

  it('waits at least 5 seconds for a lock instead of failing with SQLITE_BUSY', () => {
    expect(pragma(open(), 'busy_timeout')).toBeGreaterThanOrEqual(5000);
  });

  it('enforces foreign keys', () => {
    const db = open();
    expect(pragma(db, 'foreign_keys')).toBe(1);
    const orphan = db.prepare(
      `INSERT INTO todos (id, user_id, title, description, priority, completed, due_date, created_at, updated_at, version)
       VALUES ('t', 'no-such-user', 'x', '', 3, 0, NULL, 'now', 'now', 1)`,
    );
    expect(() => orphan.run()).toThrow(/FOREIGN KEY/);
  });

  it('sets synchronous=NORMAL (1) by default, the documented level for WAL', () => {
    expect(pragma(open(), 'synchronous')).toBe(1);
  });

  it('sets synchronous=FULL (2) when asked', () => {
    expect(pragma(open({ synchronous: 'FULL' }), 'synchronous')).toBe(2);
  });

  it('creates missing parent directories and applies every migration once', () => {
    const db = open();
    expect(pragma(db, 'user_version')).toBe(migrations.length);
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'activity',
      'agent_tokens',
      'health_probe',
      'oauth_clients',
      'oauth_codes',
      'oauth_consents',
      'oauth_grants',
      'oauth_refresh_tokens',
      'todos',
      'users',
      'web_sessions',
    ]);
  });

  it('keeps data and the pragmas when the file is opened again', () => {
    const first = open();
    first
      .prepare(
        "INSERT INTO users (id, username, password_hash, created_at) VALUES ('u', 'alice', 'h', 'now')",
      )
      .run();
    first.close();
    const second = open();
    expect(second.prepare('SELECT username FROM users').pluck().all()).toEqual(['alice']);
    expect(pragma(second, 'user_version')).toBe(migrations.length);
    expect(pragma(second, 'journal_mode')).toBe('wal');
    expect(pragma(second, 'foreign_keys')).toBe(1);
    expect(pragma(second, 'integrity_check')).toBe('ok');
  });

  /** The error openDatabase throws for `path` as it is now. */
  const refusal = (): unknown => {
    try {
      open();
    } catch (error) {
      return error;
    }
    throw new Error('openDatabase accepted the file');
  };

  it('refuses a file that is not a database, saying so', () => {
    open().close();
    writeFileSync(path, Buffer.alloc(64 * 1024, 0x5a));
    const error = refusal();
    expect(error).toBeInstanceOf(DatabaseUnusableError);
    expect(error).toHaveProperty('message', 'the database is not a SQLite database (SQLITE_NOTADB)');
  });

  it('refuses a database damaged in the middle of the file', () => {
    const db = open();
    db.prepare(
      "INSERT INTO users (id, username, password_hash, created_at) VALUES ('u', 'a', 'h', 'now')",
    ).run();
    const insert = db.prepare(
      `INSERT INTO todos (id, user_id, title, description, priority, completed, due_date, created_at, updated_at, version)
       VALUES (?, 'u', 'title', ?, 3, 0, NULL, 'now', 'now', 1)`,
    );
    for (let i = 0; i < 500; i++) insert.run(`todo-${i}`, 'x'.repeat(200));
    db.close(); // checkpoints the log into the file
    const file = openSync(path, 'r+');
    writeSync(file, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 8);
    const error = refusal();
    expect(error).toBeInstanceOf(DatabaseUnusableError);
    // One line for the operator, whatever quick_check found.
    expect(error).toHaveProperty('message', expect.stringMatching(/^the database is corrupt \([^\n]+\)$/));
  });

  it('refuses a database it can read but not write, instead of opening it read-only', () => {
    open().close();
    makeImmutable(path);
    const error = refusal();
    expect(error).toBeInstanceOf(DatabaseUnusableError);
    expect(error).toHaveProperty('message', 'the database is read-only (SQLITE_READONLY)');
  });

  it('refuses a path whose directory cannot be created', () => {
    writeFileSync(join(dir, 'nested'), 'a file where the directory should be');
    const error = refusal();
    expect(error).toBeInstanceOf(DatabaseUnusableError);
    expect(error).toHaveProperty(
      'message',
      expect.stringMatching(/^its directory cannot be created \(E[A-Z]+\)$/),
    );
  });
});
