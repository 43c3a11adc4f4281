// security.md 12: tool names, descriptions, schemas and annotations are part of the security
// surface (a model reads them), so any change to them must show up as a reviewed snapshot diff.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers.ts';
import { type Connected, connect, ERAS } from './mcp-helpers.ts';

/** JSON with object keys sorted: the eras list the same schemas but may order their keys differently. */
function canonicalJson(value: unknown): string {
  const sortKeys = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(sortKeys)
      : node !== null && typeof node === 'object'
        ? Object.fromEntries(
            Object.entries(node)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([key, child]) => [key, sortKeys(child)]),
          )
        : node;
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

describe.each(ERAS)('tools/list in the %s era', (era) => {
  let ctx: TestContext;
  let mcp: Connected;

  beforeEach(async () => {
    ctx = createTestContext();
    const alice = await ctx.signUp();
    mcp = await connect(await ctx.listen(), alice, era);
  });
  afterEach(async () => {
    await mcp.client.close();
    await ctx.close();
  });

  it('equals the committed snapshot, the same in both eras', async () => {
    const { tools } = await mcp.client.listTools(undefined, { cacheMode: 'bypass' });
    await expect(canonicalJson(tools)).toMatchFileSnapshot('../__snapshots__/tools-list.json');
  });
});
