// delete_todo asks the user to confirm where the client can be asked (2026-07-28, or a
// 2025-era session); only an accepted "confirm: true" deletes. A client that cannot be asked
// gets a direct delete and relies on the tool's destructiveHint. Decline: see tools.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { DISGUISED, expectSpelledOut } from './disguised-text.ts';
import { type Connected, connect, ERAS, textOf } from './mcp-helpers.ts';

describe.each(ERAS)('delete confirmation in the %s era', (era) => {
  let ctx: TestContext;
  let alice: TestUser;
  let base: string;
  let todo: Todo;
  const clients: Connected[] = [];

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    base = await ctx.listen();
    todo = await ctx.services.todos.create(by(alice), { title: 'Maybe delete me' });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((connected) => connected.client.close()));
    await ctx.close();
  });

  async function open(options: { elicitation?: boolean } = {}): Promise<Connected> {
    const connected = await connect(base, alice, era, options);
    clients.push(connected);
    return connected;
  }
  const stored = () => ctx.services.todos.get(alice.id, todo.id);

  it('deletes when the user accepts with confirm: true', async () => {
    const mcp = await open();
    mcp.setElicitAnswer({ confirm: true });
    const result = await mcp.client.callTool({ name: 'delete_todo', arguments: { id: todo.id } });
    expect(result.structuredContent).toEqual({ deleted: true, id: todo.id });
    await expect(stored()).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps the todo when the user cancels the confirmation', async () => {
    const mcp = await open();
    mcp.setElicitAnswer('cancel');
    const result = await mcp.client.callTool({ name: 'delete_todo', arguments: { id: todo.id } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ deleted: false, id: todo.id });
    expect(textOf(result)).toContain('Not deleted');
    await expect(stored()).resolves.toEqual(todo);
  });

  it('keeps the todo when the user accepts the form with confirm: false', async () => {
    const mcp = await open();
    mcp.setElicitAnswer({ confirm: false });
    const result = await mcp.client.callTool({ name: 'delete_todo', arguments: { id: todo.id } });
    expect(result.structuredContent).toEqual({ deleted: false, id: todo.id });
    await expect(stored()).resolves.toEqual(todo);
  });

  it('deletes directly for a client without the elicitation capability (destructiveHint applies)', async () => {
    const mcp = await open({ elicitation: false });
    const result = await mcp.client.callTool({ name: 'delete_todo', arguments: { id: todo.id } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ deleted: true, id: todo.id });
    await expect(stored()).rejects.toMatchObject({ code: 'not_found' });
  });

  it('names the todo in the confirmation with its invisible characters spelled out', async () => {
    const disguised = await ctx.services.todos.create(by(alice), { title: DISGUISED });
    const mcp = await open();
    mcp.setElicitAnswer('decline');
    await mcp.client.callTool({ name: 'delete_todo', arguments: { id: disguised.id } });
    expect(mcp.elicitMessages).toHaveLength(1);
    expectSpelledOut(mcp.elicitMessages[0] ?? '');
  });

  it('still refuses a stale expectedVersion after the user confirmed', async () => {
    await ctx.services.todos.patch(by(alice), todo.id, { title: 'Changed meanwhile' });
    const mcp = await open();
    const result = await mcp.client.callTool({
      name: 'delete_todo',
      arguments: { id: todo.id, expectedVersion: 1 },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('expectedVersion 2');
    await expect(stored()).resolves.toMatchObject({ title: 'Changed meanwhile', version: 2 });
  });
});
