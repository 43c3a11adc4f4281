import express, { type RequestHandler } from 'express';

// What every MCP client sends: application/json, UTF-8 if a charset is named at all.
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * express.json() for /mcp, with a short path for the request every MCP client sends: a POST
 * of plain UTF-8 JSON with a Content-Length within the limit and no Content-Encoding. That
 * one is read and parsed directly, with body-parser's rules (an empty body is `{}`, the JSON
 * must be an object or an array, a leading BOM is dropped, a short body is a 400). Every
 * other request (chunked, compressed, another charset or media type, over the limit) goes
 * through express.json() itself, so its answers stay what they were. body-parser's general
 * path (media-type matching, charset decoding streams, size accounting) was ~4% of the CPU of
 * a call on a 2025-era session, as much as our whole guard chain besides it.
 */
export function mcpJsonBody(limitBytes: number): RequestHandler {
  const general = express.json({ limit: limitBytes, type: ['application/json', 'application/*+json'] });
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    const length = declared !== undefined && /^\d{1,9}$/.test(declared) ? Number(declared) : Number.NaN;
    const type = req.headers['content-type'];
    if (
      req.method !== 'POST' ||
      !(length <= limitBytes) ||
      req.headers['content-encoding'] !== undefined ||
      type === undefined ||
      !PLAIN_JSON.test(type)
    ) {
      general(req, res, next);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    /** Continues once: with the body set, or with an error rpcErrors answers as a parse error (400). */
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      next(error && Object.assign(error, { status: 400 }));
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.once('error', settle);
    req.once('end', () => {
      if (received !== length) return settle(new Error('request size did not match content length'));
      const text = Buffer.concat(chunks, received)
        .toString('utf8')
        .replace(/^\uFEFF/, '');
      if (text.length === 0) {
        req.body = {};
        return settle();
      }
      const first = text.trimStart()[0];
      if (first !== '{' && first !== '[')
        return settle(new SyntaxError('the body is not a JSON object or array'));
      try {
        req.body = JSON.parse(text);
      } catch (error) {
        return settle(error as Error);
      }
      settle();
    });
  };
}
