import { type Logger, pino } from 'pino';

/**
 * Structured JSON logs on stdout. Callers log chosen fields only (never request headers or
 * bodies); the redaction list is a second line of defence should one slip in.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
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
  return destination ? pino(options, destination) : pino(options);
}
