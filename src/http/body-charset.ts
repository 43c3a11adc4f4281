import { parse } from 'content-type';
import type { Request } from 'express';

/**
 * The charset a request body declares, when it is not UTF-8. JSON between systems is UTF-8
 * (RFC 8259 §8.1), and so are OAuth's form bodies (RFC 6749 appendix B), but body-parser would
 * decode UTF-16 or UTF-7 for us: such a body is refused before it is read. The header is parsed
 * by the parser body-parser itself uses, so the two never disagree about what it says.
 */
export function foreignCharset(req: Request): string | undefined {
  const header = req.headers['content-type'];
  if (header === undefined || !/charset/i.test(header)) return undefined;
  const charset = parse(header).parameters.charset;
  return charset !== undefined && charset.toLowerCase() !== 'utf-8' ? charset : undefined;
}
