import type { Request, Response } from 'express';
import type { Todo } from '../repositories/types.ts';
import { InvalidInputError } from '../services/errors.ts';

/** A todo's entity tag is its version: it changes exactly when the todo does. */
export function setEtag(res: Response, todo: Todo): void {
  res.setHeader('ETag', `"${todo.version}"`);
}

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE.
const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

const headerError = (message: string) => new InvalidInputError([{ path: ['If-Match'], message }], 'header');

/**
 * The version a conditional request expects (If-Match), or undefined when unconditional
 * (no header, or `*`, which any existing todo matches). Weak tags never match under the
 * strong comparison If-Match requires; a tag that is not one of ours cannot match either,
 * so both become version 0, which no todo has, and the write answers 412. A header that is
 * not an entity tag at all (`If-Match: 3`, quotes forgotten) is a 400 that shows the quoting:
 * as a 412 it read "it is now at version 3" to a client that sent 3.
 */
export function expectedVersion(req: Request): number | undefined {
  const header = req.get('if-match')?.trim();
  if (header === undefined || header === '*') return undefined;
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.length !== 1) throw headerError('send exactly one entity tag, as received in ETag');
  const tag = tags[0] ?? '';
  if (!ENTITY_TAG.test(tag)) {
    const example = /^\d{1,15}$/.test(tag) ? tag : '3';
    throw headerError(`must be an entity tag in double quotes, as ETag sends it: If-Match: "${example}"`);
  }
  const match = /^"(\d{1,15})"$/.exec(tag);
  return match ? Number(match[1]) : 0;
}
