import { type DestinationStream, type Logger, pino } from 'pino';
import { prettyDestination } from './pretty-log.ts';

export type LogFormat = 'pretty' | 'json';

/**
 * LOG_FORMAT when set; otherwise pretty lines for a developer at a terminal, and JSON lines
 * (one record each) everywhere else: production, pipes, files and log collectors.
 */
export function chooseLogFormat(
  configured: LogFormat | undefined,
  env: 'development' | 'test' | 'production',
  stdoutIsTerminal: boolean,
): LogFormat {
  return configured ?? (env === 'development' && stdoutIsTerminal ? 'pretty' : 'json');
}

/**
 * Structured logs on stdout (or `destination`). Callers log chosen fields only (never request
 * headers or bodies); the redaction list is a second line of defence should one slip in.
 */
export function createLogger(
  level: string,
  options: { format?: LogFormat; destination?: NodeJS.WritableStream } = {},
): Logger {
  const settings = {
    level,
    base: null,
    redact: {
      paths: [
        'authorization',
        'password',
        'token',
        'access_token',
        '*.authorization',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
  const out = options.destination ?? process.stdout;
  const destination: DestinationStream = options.format === 'pretty' ? prettyDestination(out) : out;
  return pino(settings, destination);
}
