import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { ConcurrencyLimit } from './concurrency-limit.ts';

const argon2Async = promisify(argon2);

export interface Argon2Parameters {
  /** Memory in KiB. */
  memory: number;
  passes: number;
  parallelism: number;
}

// OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane). Stored with every hash, so
// raising them later needs no migration: old hashes still verify with their own values.
export const DEFAULT_ARGON2: Argon2Parameters = { memory: 19 * 1024, passes: 2, parallelism: 1 };

const SALT_BYTES = 16;
const TAG_BYTES = 32;
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * argon2id from node:crypto, in the PHC string format. Always asynchronous: one hash takes
 * tens of milliseconds and runs on libuv's thread pool, never on the event loop. Derivations
 * (hash, verify and the dummy verification alike) pass through `limit`: compose.ts allows
 * one per core, so a sign-in storm queues instead of filling every core and libuv's whole
 * pool (4 threads by default, shared with file and DNS work) while requests wait.
 */
export class PasswordHasher {
  readonly #parameters: Argon2Parameters;
  readonly #limit: ConcurrencyLimit | undefined;
  #dummy: Promise<string> | undefined;

  constructor(parameters: Argon2Parameters = DEFAULT_ARGON2, limit?: ConcurrencyLimit) {
    this.#parameters = parameters;
    this.#limit = limit;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const tag = await this.#derive(password, salt, this.#parameters);
    const { memory, passes, parallelism } = this.#parameters;
    return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${b64(salt)}$${b64(tag)}`;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const match = PHC.exec(stored);
    if (!match) return false;
    const [, memory, passes, parallelism, salt, tag] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const expected = Buffer.from(tag, 'base64');
    const actual = await this.#derive(
      password,
      Buffer.from(salt, 'base64'),
      { memory: Number(memory), passes: Number(passes), parallelism: Number(parallelism) },
      expected.length,
    );
    return timingSafeEqual(actual, expected);
  }

  /**
   * Verifies against a hash of a random password, for logins with an unknown username: the
   * answer then takes as long as for a known one, so timing does not reveal which names exist.
   */
  async verifyDummy(password: string): Promise<false> {
    this.#dummy ??= this.hash(randomBytes(32).toString('base64'));
    await this.verify(password, await this.#dummy);
    return false;
  }

  async #derive(
    password: string,
    salt: Buffer,
    parameters: Argon2Parameters,
    length = TAG_BYTES,
  ): Promise<Buffer> {
    const derive = () =>
      argon2Async('argon2id', {
        message: Buffer.from(password, 'utf8'),
        nonce: salt,
        memory: parameters.memory,
        passes: parameters.passes,
        parallelism: parameters.parallelism,
        tagLength: length,
      });
    return this.#limit ? this.#limit.run(derive) : derive();
  }
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
