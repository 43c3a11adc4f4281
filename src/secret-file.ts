import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads the JWT secret kept at `path`, creating it (48 random bytes, mode 0600) on first
 * start, so that development tokens survive restarts without any configuration.
 * Production sets JWT_SECRET instead (config.ts refuses to start without it).
 */
export function loadOrCreateSecret(path: string): string {
  try {
    const secret = readFileSync(path, 'utf8').trim();
    if (Buffer.byteLength(secret) >= 32) return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync keeps the mode of a file that already existed
  return secret;
}
