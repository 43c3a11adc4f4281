// Files that not even root can write: the tests run as root, and neither chmod nor a read-only
// directory stops root, or any process, from writing through a descriptor it already holds.
// The immutable attribute (chattr +i, ext4 and most Linux file systems) fails every write to
// the file, also through open descriptors, as a read-only or failing disk does.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function makeImmutable(...paths: string[]): void {
  execFileSync('chattr', ['+i', ...paths]);
}

export function makeWritable(...paths: string[]): void {
  execFileSync('chattr', ['-i', ...paths]);
}

/** For afterEach: clears the attribute from every file of a directory, so that it can be removed. */
export function releaseDirectory(directory: string): void {
  const files = readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  if (files.length > 0) makeWritable(...files);
}
