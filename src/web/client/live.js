// The page's live connection: GET /api/events, read with fetch rather than EventSource so
// that the page decides how to reconnect. EventSource gives up for good on any answer but 200
// (a server that is shutting down answers 503), cannot tell an ended session (401) from a
// network failure, and forgets the last event id once it has given up. Here every
// reconnection sends the id of the last event seen, so the server sends exactly what was
// missed (no gap, no duplicate), or `reload` when it no longer keeps it.
import { signInAgain } from './api.js';

/** @typedef {import('./api.js').ActivityEntry} ActivityEntry */
/** @typedef {'connecting' | 'live' | 'reconnecting'} LiveState */
/**
 * @typedef {object} LiveHandlers
 * @property {(entry: ActivityEntry) => void} onChange a change, in the order they were made
 * @property {() => void} onSync the page must reload its data: it has no position in the feed yet, or it lost it
 * @property {(state: LiveState) => void} onState
 */

// The server sends a comment every 15 s: a stream silent for longer than this is dead (a
// proxy or a sleeping laptop dropped it without closing), so it is abandoned and reopened.
const SILENCE_MS = 45_000;
const MAX_DELAY_MS = 10_000;

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class LiveFeed {
  /** @type {LiveHandlers} */
  #handlers;
  /** @type {string | undefined} */
  #lastId;
  #retryMs = 1000;
  #failures = 0;

  /** @param {LiveHandlers} handlers */
  constructor(handlers) {
    this.#handlers = handlers;
  }

  start() {
    void this.#run();
  }

  async #run() {
    this.#handlers.onState('connecting');
    for (;;) {
      const outcome = await this.#connect();
      if (outcome.signedOut) {
        signInAgain();
        return;
      }
      this.#handlers.onState('reconnecting');
      this.#failures += 1;
      const backoff = Math.min(this.#retryMs * this.#failures, MAX_DELAY_MS);
      await sleep(Math.max(backoff, (outcome.retryAfter ?? 0) * 1000));
    }
  }

  /**
   * One connection, until it ends.
   * @returns {Promise<{ signedOut?: boolean, retryAfter?: number }>}
   */
  async #connect() {
    const abort = new AbortController();
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let watchdog;
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => abort.abort(), SILENCE_MS);
    };
    const resuming = this.#lastId !== undefined;
    try {
      const response = await fetch('/api/events', {
        headers: {
          Accept: 'text/event-stream',
          ...(this.#lastId === undefined ? {} : { 'Last-Event-ID': this.#lastId }),
        },
        credentials: 'same-origin',
        cache: 'no-store',
        signal: abort.signal,
      });
      if (response.status === 401) return { signedOut: true };
      if (!response.ok || !response.body) {
        const retryAfter = Number(response.headers.get('retry-after'));
        return Number.isFinite(retryAfter) ? { retryAfter } : {};
      }
      alive();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return {};
        alive();
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          this.#dispatch(buffer.slice(0, end), resuming);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      return {}; // unreachable, or dropped: try again
    } finally {
      clearTimeout(watchdog);
      abort.abort();
    }
  }

  /**
   * One event of the stream (text/event-stream framing).
   * @param {string} frame
   * @param {boolean} resuming whether this connection sent Last-Event-ID
   */
  #dispatch(frame, resuming) {
    let event = 'message';
    /** @type {string | undefined} */
    let id;
    /** @type {string[]} */
    const data = [];
    for (const line of frame.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) this.#retryMs = Number(value);
    }
    if (id !== undefined) this.#lastId = id;
    if (event === 'change') {
      this.#handlers.onChange(JSON.parse(data.join('\n')));
    } else if (event === 'ready' || event === 'reload') {
      this.#failures = 0;
      this.#handlers.onState('live');
      // After a resumption the missed changes came before `ready`; otherwise the page reloads.
      if (event === 'reload' || !resuming) this.#handlers.onSync();
    }
  }
}
