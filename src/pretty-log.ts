// Log lines for a person at a terminal: `14:02:11.204 INFO  GET /api/todos 200 3.1ms`, then
// the other fields as key=value. The records are pino's JSON lines, formatted one by one as
// pino writes them; production keeps the JSON (LOG_FORMAT, config.ts). Our own few lines
// rather than pino-pretty, which would bring a dozen packages for what this does.
import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

const LEVELS: Record<number, [name: string, style: Style]> = {
  10: ['TRACE', 'gray'],
  20: ['DEBUG', 'gray'],
  30: ['INFO', 'green'],
  40: ['WARN', 'yellow'],
  50: ['ERROR', 'red'],
  60: ['FATAL', ['red', 'bold']],
};
// Said in the message already, or by the time and level.
const IN_MESSAGE = new Set(['time', 'level', 'msg', 'method', 'path', 'status', 'ms']);
// Useful to correlate lines, rarely read: last and dimmed.
const BACKGROUND = new Set(['reqId', 'userId']);
const PLAIN = /^[\w.:/@+[\]-]+$/;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const clock = (time: unknown) => {
  const date = new Date(typeof time === 'number' ? time : Date.now());
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
};

// C0 and C1 controls (ESC and CSI start terminal sequences) and the line separators.
const CONTROLS = /[\p{Cc}\u2028\u2029]/gu;
const escapeControls = (text: string) =>
  text.replace(CONTROLS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A value as one safe token: text a client chose can never break the line, fake another or drive the terminal. */
const shown = (value: unknown) =>
  typeof value === 'string' && PLAIN.test(value) ? value : escapeControls(JSON.stringify(value) ?? '');

/** One record as one line (a stack, if any, on the lines below it). */
export function formatRecord(
  record: Record<string, unknown>,
  colour: (style: Style, text: string) => string,
): string {
  const [name, style] = LEVELS[Number(record.level)] ?? ['LOG', 'white'];
  const message = typeof record.msg === 'string' ? escapeControls(record.msg) : '';
  const fields = Object.entries(record).filter(([key, value]) => !IN_MESSAGE.has(key) && value !== undefined);
  const { stack } = record;
  const pairs = (entries: [string, unknown][]) =>
    entries.filter(([key]) => key !== 'stack').map(([key, value]) => `${key}=${shown(value)}`);
  const front = pairs(fields.filter(([key]) => !BACKGROUND.has(key)));
  const back = pairs(fields.filter(([key]) => BACKGROUND.has(key)));
  const line = [
    colour('dim', clock(record.time)),
    colour(style, name.padEnd(5)),
    message,
    ...front,
    ...(back.length ? [colour('dim', back.join(' '))] : []),
  ]
    .filter(Boolean)
    .join(' ');
  if (typeof stack !== 'string') return line;
  const indented = stack.split('\n').map((frame) => `    ${escapeControls(frame)}`);
  return `${line}\n${colour('dim', indented.join('\n'))}`;
}

/** A pino destination that writes each record formatted to `out`, in colour only on a terminal. */
export function prettyDestination(out: NodeJS.WritableStream): { write(line: string): void } {
  // styleText leaves the text plain where `out` is no terminal, or NO_COLOR is set.
  const colour = (style: Style, text: string) => styleText(style, text, { stream: out });
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(`${formatRecord(record, colour)}\n`);
    },
  };
}
