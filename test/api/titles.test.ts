import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, by, countTodos, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

describe('todo titles and descriptions', () => {
  let ctx: TestContext;
  let alice: TestUser;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
  });
  afterEach(() => ctx.close());

  const create = (body: Record<string, unknown>) =>
    request(ctx.app).post('/api/todos').set(bearer(alice)).send(body);
  /** Sends the body exactly as written, so JSON escapes reach the server's parser untouched. */
  const createRaw = (raw: string) =>
    request(ctx.app).post('/api/todos').set(bearer(alice)).type('json').send(raw);

  const expectTitleRefused = async (res: request.Response, detail: string) => {
    const body = expectProblem(res, 400, 'validation-failed');
    expect(body.errors).toEqual([{ field: 'title', in: 'body', detail }]);
    expect(countTodos(ctx)).toBe(0);
  };

  it('refuses an empty title with 400', async () => {
    await expectTitleRefused(await create({ title: '' }), 'must not be empty');
  });

  it('refuses a title of only spaces with 400, since it is empty once trimmed', async () => {
    await expectTitleRefused(await create({ title: '     ' }), 'must not be empty');
  });

  it('accepts a title of exactly 200 characters', async () => {
    const title = 't'.repeat(200);
    const res = await create({ title });
    expect(res.status).toBe(201);
    expect((await ctx.services.todos.get(alice.id, res.body.id)).title).toBe(title);
  });

  it('refuses a title of 201 characters with 400 naming the maximum', async () => {
    await expectTitleRefused(await create({ title: 't'.repeat(201) }), 'must be at most 200 characters');
  });

  it('refuses a 201-character title on PUT and PATCH too, changing nothing', async () => {
    const todo = await ctx.services.todos.create(by(alice), { title: 'Short' });
    const long = 't'.repeat(201);
    const put = await request(ctx.app).put(`/api/todos/${todo.id}`).set(bearer(alice)).send({ title: long });
    const patch = await request(ctx.app)
      .patch(`/api/todos/${todo.id}`)
      .set(bearer(alice))
      .send({ title: long });
    expectProblem(put, 400, 'validation-failed');
    expectProblem(patch, 400, 'validation-failed');
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it.each([
    ['zero-width spaces and joiners', '\u200b\u200c\u200d'],
    ['a word joiner and a soft hyphen', '\u2060\u00ad'],
    ['bidi controls', '\u202e\u2066\u2069'],
    ['a Hangul filler between spaces', ' \u3164 '],
  ])('refuses a title made only of %s with 400: it would show as empty', async (_what, title) => {
    await expectTitleRefused(await create({ title }), 'must contain at least one visible character');
    const todo = await ctx.services.todos.create(by(alice), { title: 'Visible' });
    const patch = await request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).send({ title });
    expectProblem(patch, 400, 'validation-failed');
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it('accepts invisible characters beside visible ones (an emoji ZWJ sequence, a soft hyphen)', async () => {
    for (const title of ['👨\u200d👩\u200d👧', 'co\u00adoperate']) {
      const res = await create({ title });
      expect(res.status, res.text).toBe(201);
      expect(res.body.title).toBe(title);
    }
  });

  it('counts characters, not UTF-16 units: 200 emoji are accepted and 201 refused', async () => {
    expect((await create({ title: '😀'.repeat(200) })).status).toBe(201);
    expectProblem(await create({ title: '😀'.repeat(201) }), 400, 'validation-failed');
  });

  it('round-trips emoji, CJK and combining marks byte-exact, without normalising them', async () => {
    // A ZWJ family, a flag, CJK, Hangul, a decomposed "é" (e + U+0301) and Devanagari.
    const title = '👨‍👩‍👧 🇯🇵 买牛奶 우유 사기 Cafe\u0301 नमस्ते';
    const description = 'ḁ̴̡ Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍\n\tindented';
    const res = await create({ title, description });
    expect(res.status).toBe(201);
    expect(Buffer.from(res.body.title)).toEqual(Buffer.from(title));
    expect(Buffer.from(res.body.description)).toEqual(Buffer.from(description));
    const stored = await ctx.services.todos.get(alice.id, res.body.id);
    expect(Buffer.from(stored.title)).toEqual(Buffer.from(title));
    expect(stored.title).not.toBe(title.normalize('NFC'));
    const fetched = await request(ctx.app).get(`/api/todos/${res.body.id}`).set(bearer(alice));
    expect(Buffer.from(fetched.body.title)).toEqual(Buffer.from(title));
  });

  it('refuses a lone surrogate sent as the raw JSON escape \\ud800 with 400', async () => {
    await expectTitleRefused(
      await createRaw('{"title": "before \\ud800 after"}'),
      'must be well-formed Unicode (no lone surrogates)',
    );
  });

  it('refuses a lone low surrogate (\\udc00) and a reversed pair in a description with 400', async () => {
    for (const raw of [
      '{"title": "ok", "description": "\\udc00"}',
      '{"title": "ok", "description": "\\ude00\\ud83d"}',
    ]) {
      const body = expectProblem(await createRaw(raw), 400, 'validation-failed');
      expect(body.errors).toEqual([expect.objectContaining({ field: 'description' })]);
    }
    expect(countTodos(ctx)).toBe(0);
  });

  it('refuses a title containing any control character (NUL, BEL, ESC, DEL, C1, tab, newline) with 400', async () => {
    for (const sequence of [
      '\\u0000',
      '\\u0007',
      '\\u001b',
      '\\u007f',
      '\\u0085',
      '\\u009b',
      '\\t',
      '\\n',
      '\\r',
    ]) {
      const body = expectProblem(await createRaw(`{"title": "a${sequence}b"}`), 400, 'validation-failed');
      expect(body.errors).toEqual([
        { field: 'title', in: 'body', detail: 'must not contain control characters' },
      ]);
    }
    expect(countTodos(ctx)).toBe(0);
  });

  it('accepts tab and newlines in a description and stores them as sent', async () => {
    const description = 'line one\nline two\r\n\tindented';
    const res = await create({ title: 'Notes', description });
    expect(res.status).toBe(201);
    expect((await ctx.services.todos.get(alice.id, res.body.id)).description).toBe(description);
  });

  it('refuses a description containing a control character other than tab and newline with 400', async () => {
    for (const sequence of ['\\u0000', '\\u001b', '\\u007f']) {
      const body = expectProblem(
        await createRaw(`{"title": "ok", "description": "a${sequence}b"}`),
        400,
        'validation-failed',
      );
      expect(body.errors).toEqual([
        {
          field: 'description',
          in: 'body',
          detail: 'must not contain control characters other than tab and newline',
        },
      ]);
    }
    expect(countTodos(ctx)).toBe(0);
  });

  it('refuses a description of 2,001 characters and accepts 2,000', async () => {
    expectProblem(await create({ title: 'ok', description: 'd'.repeat(2001) }), 400, 'validation-failed');
    expect((await create({ title: 'ok', description: 'd'.repeat(2000) })).status).toBe(201);
    expect(countTodos(ctx)).toBe(1);
  });

  it('stores a title that looks like SQL or markup as plain text', async () => {
    const title = `'); DROP TABLE todos; -- <script>alert(1)</script>`;
    const res = await create({ title });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe(title);
    expect(countTodos(ctx)).toBe(1);
  });
});
