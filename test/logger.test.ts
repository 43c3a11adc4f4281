// Logs for a person at a terminal: pretty lines in development on a terminal (or with
// LOG_FORMAT=pretty), JSON lines everywhere else, and nothing a client sent can break a line
// or drive the terminal.
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger } from '../src/logger.ts';
import { formatRecord } from '../src/pretty-log.ts';

const plain = (_style: unknown, text: string) => text;
const at = (hours: number, minutes: number, seconds: number, ms: number) =>
  new Date(2026, 11, 3, hours, minutes, seconds, ms).getTime();

describe('the log format', () => {
  it.each([
    [undefined, 'development', true, 'pretty'],
    [undefined, 'development', false, 'json'],
    [undefined, 'production', true, 'json'],
    [undefined, 'test', true, 'json'],
    ['json', 'development', true, 'json'],
    ['pretty', 'production', false, 'pretty'],
  ] as const)('is %s → %s in %s with a terminal: %s', (configured, env, terminal, format) => {
    expect(chooseLogFormat(configured, env, terminal)).toBe(format);
  });
});

describe('a pretty log line', () => {
  it('reads like the request, then its other fields, request and user ids last', () => {
    const line = formatRecord(
      {
        level: 30,
        time: at(14, 2, 11, 204),
        reqId: 'r-1',
        method: 'POST',
        path: '/mcp',
        status: 200,
        ms: 3.14,
        userId: 'u-1',
        rpc: 'tools/call',
        tool: 'create_todo',
        msg: 'POST /mcp 200 3.1ms',
      },
      plain,
    );
    expect(line).toBe(
      '14:02:11.204 INFO  POST /mcp 200 3.1ms rpc=tools/call tool=create_todo reqId=r-1 userId=u-1',
    );
  });

  it('names every level', () => {
    const names = [10, 20, 30, 40, 50, 60].map(
      (level) => formatRecord({ level, time: at(0, 0, 0, 0), msg: 'm' }, plain).split(' ')[1],
    );
    expect(names).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
  });

  it('escapes control characters and line breaks in the message and in fields', () => {
    const line = formatRecord(
      {
        level: 30,
        time: at(9, 5, 0, 7),
        msg: 'GET /x\n12:00:00.000 ERROR forged',
        tool: 'create\u001b[31m_todo\r\nfake=line',
        note: 'two words',
      },
      plain,
    );
    expect(line).not.toMatch(/[\p{Cc}]/u);
    expect(line).toBe(
      '09:05:00.007 INFO  GET /x\\u000a12:00:00.000 ERROR forged tool="create\\u001b[31m_todo\\r\\nfake=line" note="two words"',
    );
  });

  it('prints a stack on the lines below, indented', () => {
    const line = formatRecord(
      {
        level: 20,
        time: at(1, 2, 3, 4),
        msg: 'unhandled error stack',
        stack: 'Error: x\n    at f (a.ts:1:1)',
      },
      plain,
    );
    expect(line.split('\n')).toEqual([
      '01:02:03.004 DEBUG unhandled error stack',
      '    Error: x',
      '        at f (a.ts:1:1)',
    ]);
  });

  it('is what a pretty logger writes, one line per record', () => {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const logger = createLogger('info', { format: 'pretty', destination: sink });
    logger.info({ url: 'http://localhost:3000' }, 'todos is listening');
    logger.warn({ password: 'hunter2hunter2' }, 'redacted still');
    const lines = stripVTControlCharacters(output).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}todos is listening url=http:\/\/localhost:3000$/,
    );
    expect(lines[1]).toMatch(/ WARN {2}redacted still password=\[redacted\]$/);
  });
});
