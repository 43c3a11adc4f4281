import type { Request, Response } from 'express';
import type { Todo } from '../repositories/types.ts';
import { InvalidInputError } from '../services/errors.ts';

/** A todo's entity tag is its version: it changes exactly when the todo does. */
export function setEtag(res: Response, todo: Todo): void {
  res.setHeader('ETag', `"${todo.version}"`);
}

/**
 * The version a conditional request expects (If-Match), or undefined when unconditional
 * (no header, or `*`, which any existing todo matches). Weak tags never match under the
 * strong comparison If-Match requires; a tag that is not one of ours cannot match either,
 * so both become version 0, which no todo has, and the write answers 412.
 */
export function expectedVersion(req: Request): number | undefined {
  const header = req.get('if-match')?.trim();
  if (header === undefined || header === '*') return undefined;
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.length !== 1) {
    throw new InvalidInputError(
      [{ path: ['If-Match'], message: 'send exactly one entity tag, as received in ETag' }],
      'header',
    );
  }
  const match = /^"(\d{1,15})"$/.exec(tags[0] ?? '');
  return match ? Number(match[1]) : 0;
}
