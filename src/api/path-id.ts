import type { Request } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../services/errors.ts';

const uuid = z.uuid();

/**
 * The `:id` of a request. An id that cannot exist answers exactly like one that does not:
 * 404, never a hint about which ids are well-formed.
 */
export function pathId(req: Request, resource: string): string {
  const id = String(req.params.id);
  if (!uuid.safeParse(id).success) throw new NotFoundError(resource, id.slice(0, 64));
  return id;
}
