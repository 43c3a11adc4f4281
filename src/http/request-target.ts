// The request line and the Host header. Every route, the MCP SDK's request conversion
// included, must see an origin-form path (`/mcp?x`) and one valid Host: an absolute-form
// target made the SDK build the URL `http://hosthttp://host/mcp` (a 500). createHttpServer
// rewrites an acceptable absolute-form target before the app sees it (Express reads the form
// of the target once, when it starts routing); checkRequestTarget refuses the rest with a 4xx.
import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { allowedMethods, methodsServed } from './allowed-methods.ts';
import { problemType, sendMethodNotAllowed, sendProblem } from './problem.ts';

// RFC 3986 host (an IP literal, zone id allowed, or a reg-name) and an optional port.
const VALID_HOST = /^(?:\[[0-9A-Za-z:.%]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::\d*)?$/;
// RFC 9112 §3.2.2 absolute-form, split without normalising the path: `..` and encoded
// characters must reach the router exactly as an origin-form request would send them.
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/;

/** The path an absolute-form target asks for, or why it cannot be served; undefined for other forms. */
function absoluteForm(
  target: string,
  host: string | undefined,
): { path: string } | { refusal: string } | undefined {
  const parts = ABSOLUTE_FORM.exec(target);
  if (!parts) return undefined;
  const [, scheme = '', authority = '', rest = ''] = parts;
  if (!/^https?$/i.test(scheme)) return { refusal: 'The request target must be an http or https URL.' };
  if (!VALID_HOST.test(authority)) return { refusal: 'The request target does not name a valid host.' };
  // The target names the host the request is for (RFC 9112 §3.2.2), and a client must send the
  // same one in Host: when they differ, which one is meant cannot be told.
  if (host !== undefined && host.toLowerCase() !== authority.toLowerCase())
    return { refusal: 'The Host header and the request target name different hosts.' };
  return { path: rest.startsWith('/') ? rest : `/${rest}` };
}

/**
 * Turns an absolute-form target that names the request's Host into origin-form, before the app
 * routes it; anything else is left for checkRequestTarget to refuse. The target's authority
 * becomes Host (RFC 9112 §3.2.2), so Host checks such as /mcp's apply to it.
 */
export function toOriginForm(req: IncomingMessage): void {
  const target = req.url ?? '/';
  if (target.startsWith('/')) return;
  const absolute = absoluteForm(target, req.headers.host);
  if (!absolute || !('path' in absolute)) return;
  req.headers.host ??= ABSOLUTE_FORM.exec(target)?.[2];
  req.url = absolute.path;
}

export const checkRequestTarget: RequestHandler = (req, res, next) => {
  // RFC 9112 §3.2: more than one Host, or an invalid one, is a 400. The same for credentials:
  // with two Authorization headers a proxy and we could each honour a different one. Node keeps
  // only the first of several, so they are counted in the raw headers.
  let hosts = 0;
  let authorizations = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]?.toLowerCase();
    if (name === 'host') hosts++;
    else if (name === 'authorization') authorizations++;
  }
  const host = req.headers.host;
  if (hosts > 1) return badRequest(res, 'Send exactly one Host header.');
  if (authorizations > 1) return badRequest(res, 'Send at most one Authorization header.');
  if (host !== undefined && !VALID_HOST.test(host))
    return badRequest(res, 'The Host header is not a valid host.');

  // CONNECT asks for a tunnel (createHttpServer hands it to the app): we open none.
  if (req.method === 'CONNECT')
    return sendMethodNotAllowed(res, allowedMethods(req), 'This server is not a proxy: it opens no tunnels.');

  const target = req.url;
  if (target.startsWith('/')) return next();
  if (target === '*') {
    // RFC 9112 §3.2.4: the asterisk-form asks about the server as a whole, and only OPTIONS may.
    if (req.method !== 'OPTIONS') return badRequest(res, 'Only OPTIONS may ask about the whole server (*).');
    res.setHeader('Allow', [...methodsServed(req.app.router, undefined)].sort().join(', '));
    res.status(204).end();
    return;
  }
  const absolute = absoluteForm(target, host);
  badRequest(
    res,
    absolute && 'refusal' in absolute
      ? absolute.refusal
      : 'The request target must be a path, an absolute http(s) URL, or * for OPTIONS.',
  );
};

function badRequest(res: Response, detail: string): void {
  sendProblem(res, {
    type: problemType('malformed-request'),
    title: 'The request is malformed.',
    status: 400,
    detail,
  });
}
