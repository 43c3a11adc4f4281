// HTTP/1.1 over a bare socket, for what fetch and supertest cannot send: any request line
// (absolute-form, `*`, CONNECT, TRACE), repeated or empty Host headers, any header bytes.
import { connect } from 'node:net';

export interface RawHttpAnswer {
  status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

const DEADLINE_MS = 5_000;

/**
 * Sends `head` (the request line and header lines, without the blank line that ends them) and
 * `body`, with Connection: close, and reads the answer until the server closes the connection.
 * Rejects when no answer comes, so that a dropped connection fails the test that expected one.
 */
export function exchange(base: string, head: string, body = ''): Promise<RawHttpAnswer> {
  const { hostname, port } = new URL(base);
  const lengthHeader = body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${DEADLINE_MS} ms to ${head.split('\r\n')[0]}`));
    }, DEADLINE_MS);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A server may keep the connection despite Connection: close (the MCP SDK's event streams
      // send keep-alive): a complete answer is enough.
      if (isComplete(Buffer.concat(chunks))) socket.destroy();
    });
    socket.on('error', () => undefined); // a reset after the answer is the server closing
    socket.on('close', () => {
      clearTimeout(timer);
      const answer = parseAnswer(Buffer.concat(chunks));
      if (answer) resolve(answer);
      else reject(new Error(`connection closed without an answer to ${head.split('\r\n')[0]}`));
    });
    // Written, not ended: a client that half-closes its side makes Node abort a request still in
    // progress (http.Server's default), so an answer that needs a tick (a deep router walk
    // defers with setImmediate) would be lost. Connection: close makes the server close it.
    socket.write(`${head}\r\nConnection: close\r\n${lengthHeader}\r\n${body}`);
  });
}

/** True once the answer's head and its whole body (by Content-Length or the last chunk) are in. */
function isComplete(bytes: Buffer): boolean {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = bytes.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  if (length !== undefined) return bytes.length - (end + 4) >= Number(length);
  if (/\r\ntransfer-encoding: *chunked/i.test(head))
    return bytes.subarray(-5).toString('latin1') === '0\r\n\r\n';
  return false;
}

function parseAnswer(bytes: Buffer): RawHttpAnswer | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const raw = bytes.subarray(end + 4);
  const body = headers['transfer-encoding'] === 'chunked' ? dechunk(raw) : raw;
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
