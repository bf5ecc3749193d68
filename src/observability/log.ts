// Structured logs (pino). Each connection gets a child logger with its id; secrets are redacted.
import { pino, type Logger } from 'pino';
import type { LogRing } from './log-ring.ts';

export type { Logger };

export function createLogger(level: string, format: 'json' | 'pretty', destination: NodeJS.WritableStream = process.stdout, ring?: LogRing): Logger {
  const opts = {
    level,
    base: { pid: process.pid },
    // Secrets never reach a log line, whatever object they ride in on (docs/security.md).
    redact: {
      paths: [
        'password', '*.password', 'credentials', '*.credentials', 'secret', '*.secret', 'token', '*.token',
        'dialback_secret', '*.dialback_secret', 'authorization', '*.authorization',
        'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
      ],
      censor: '[redacted]',
    },
  };
  if (format === 'pretty') {
    return pino(opts, {
      write(line: string) {
        ring?.push(line.trimEnd());
        const o = JSON.parse(line) as Record<string, unknown>;
        const { level: lv, time, msg, pid: _pid, ...rest } = o;
        const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
        destination.write(`${new Date(time as number).toISOString()} ${pino.levels.labels[lv as number] ?? lv} ${msg}${extra}\n`);
      },
    });
  }
  if (ring) {
    return pino(opts, {
      write(line: string) {
        ring.push(line.trimEnd());
        destination.write(line);
      },
    });
  }
  return pino(opts, destination as unknown as pino.DestinationStream);
}
