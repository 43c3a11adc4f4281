// Sign-in throttling as a client meets it (login-throttle.ts has the scheme): on SQLite the
// in-process throttle, on PostgreSQL the one every process shares, with the same answers.
import { Agent } from 'node:http';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engines.ts';
import { createEngineContext, type EngineTestContext, PASSWORD } from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

/** The suite, on one engine: each engine has its own test file, so that they run in parallel. */
export const loginThrottleSuite = (engine: Engine) =>
  describe(`accounts: throttling failed logins, on ${engine}`, () => {
    let ctx: EngineTestContext;
    /** A client at this loopback address (each 127.x.y.z is a distinct source address here). */
    const agents: Agent[] = [];
    const from = (address: string) => {
      const agent = new Agent({ localAddress: address });
      agents.push(agent);
      return agent;
    };

    beforeEach(async () => {
      // Loopback proxies are believed: X-Forwarded-For can name an IPv6 client (the agents'
      // requests carry none, so their socket address stays the client's).
      ctx = await createEngineContext(engine, { trustProxy: 'loopback' });
      await ctx.signUp('alice');
    });
    afterEach(() => {
      for (const agent of agents.splice(0)) agent.destroy();
      return ctx.close();
    });

    const login = (username: string, password: string, agent?: Agent) => {
      const req = request(ctx.app).post('/api/auth/token');
      if (agent) req.agent(agent);
      return req.send({ username, password });
    };
    /** A client at `address`, as a proxy in front of us reports it. */
    const loginFrom = (address: string, username: string, password: string) =>
      request(ctx.app).post('/api/auth/token').set('X-Forwarded-For', address).send({ username, password });
    const failTimes = async (count: number, username: (i: number) => string) => {
      const results = await Promise.all(
        Array.from({ length: count }, (_, i) => login(username(i), 'wrong password!!')),
      );
      expect(results.map((res) => res.status)).toEqual(Array(count).fill(401));
    };

    it('answers 429 with Retry-After after ten failed logins for one username, even with the right password', async () => {
      await failTimes(10, () => 'alice');
      const res = await login('alice', PASSWORD);
      const body = expectProblem(res, 429, 'rate-limited');
      const retryAfter = Number(res.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect(body.retryAfter).toBe(retryAfter);
      expect(res.body.access_token).toBeUndefined();
    });

    it('throttles simultaneous guesses too: of twenty parallel wrong passwords for one username, ten are checked', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => login('alice', 'wrong password!!')));
      const statuses = results.map((res) => res.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    });

    it('counts failed logins per username case-insensitively', async () => {
      await failTimes(10, (i) => (i % 2 === 0 ? 'ALICE' : 'Alice'));
      expectProblem(await login('alice', PASSWORD), 429, 'rate-limited');
    });

    it('keeps other users signing in while one username is throttled', async () => {
      await ctx.signUp('bob');
      await failTimes(10, () => 'alice');
      expect((await login('alice', PASSWORD)).status).toBe(429);
      const bob = await login('bob', PASSWORD);
      expect(bob.status).toBe(200);
      expect(bob.body.access_token).toEqual(expect.any(String));
    });

    it("keeps the account's owner signing in from their own address while another address brute-forces their name", async () => {
      const attacker = from('127.0.0.2');
      const guesses = await Promise.all(
        Array.from({ length: 12 }, () => login('alice', 'wrong password!!', attacker)),
      );
      expect(guesses.filter((res) => res.status === 401)).toHaveLength(10);
      expectProblem(await login('alice', PASSWORD, attacker), 429, 'rate-limited');
      const owner = await login('alice', PASSWORD, from('127.0.0.3'));
      expect(owner.status).toBe(200);
      expect(owner.body.access_token).toEqual(expect.any(String));
    });

    it('counts failures from every address of one IPv6 /64 as from one address, and not those of the next /64', async () => {
      const guesses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          loginFrom(`2001:db8:7:7::${i + 1}`, 'alice', 'wrong password!!'),
        ),
      );
      expect(guesses.map((res) => res.status)).toEqual(Array(10).fill(401));
      expectProblem(await loginFrom('2001:db8:7:7:ffff::1', 'alice', PASSWORD), 429, 'rate-limited');
      expect((await loginFrom('2001:db8:7:8::1', 'alice', PASSWORD)).status).toBe(200);
    });

    it('lets sixty parallel sign-ins with the right password all succeed: only failures count', async () => {
      const results = await Promise.all(Array.from({ length: 60 }, () => login('alice', PASSWORD)));
      expect(results.map((res) => res.status)).toEqual(Array(60).fill(200));
    });

    it('caps failures for one username from all addresses, yet an address with no failure still signs in', async () => {
      // A distributed guess: ten addresses, ten failures each, reach the username-wide ceiling.
      for (let host = 1; host <= 10; host++) {
        const attacker = from(`127.0.1.${host}`);
        const guesses = await Promise.all(
          Array.from({ length: 10 }, () => login('alice', 'wrong password!!', attacker)),
        );
        expect(guesses.map((res) => res.status)).toEqual(Array(10).fill(401));
      }
      // A new address gets its one guess, then waits even though its own budget is not spent.
      const newcomer = from('127.0.1.11');
      expect((await login('alice', 'wrong password!!', newcomer)).status).toBe(401);
      const refused = await login('alice', PASSWORD, newcomer);
      expectProblem(refused, 429, 'rate-limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // The owner, at an address that never failed, is not locked out.
      expect((await login('alice', PASSWORD, from('127.0.1.12'))).status).toBe(200);
    });

    it('answers 429 after fifty failed logins from one address, not counting successful ones, while another address still signs in', async () => {
      // Two loopback source addresses stand for two clients; req.ip is the socket address.
      const first = new Agent({ localAddress: '127.0.0.1' });
      const second = new Agent({ localAddress: '127.0.0.2' });
      try {
        const failures = await Promise.all(
          Array.from({ length: 49 }, (_, i) => login(`stranger${i}`, 'wrong password!!', first)),
        );
        expect(failures.every((res) => res.status === 401)).toBe(true);
        expect((await login('alice', PASSWORD, first)).status).toBe(200);
        expect((await login('stranger49', 'wrong password!!', first)).status).toBe(401);
        const blocked = await login('alice', PASSWORD, first);
        expectProblem(blocked, 429, 'rate-limited');
        expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
        expect((await login('alice', PASSWORD, second)).status).toBe(200);
      } finally {
        first.destroy();
        second.destroy();
      }
    });
  });
