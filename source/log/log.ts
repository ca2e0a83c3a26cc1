// The log: JSON lines in <dataDir>/logs/apdesk.log, never stdout (the console owns the screen).
// Anything that looks like a credential is redacted before it is written. Every layer that does I/O may log.
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, context?: Record<string, unknown>): void;
  /** Resolves once everything logged so far is on disk. */
  flush(): Promise<void>;
}

const SECRET_KEY = /token|secret|password|authorization|^code$|cookie/i;
const BEARER = /Bearer\s+[A-Za-z0-9._~+/=-]+/g;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(BEARER, 'Bearer [redacted]');
  if (!value || typeof value !== 'object' || depth > 6) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1),
    ]),
  );
}

export function fileLogger(dataDir: string, file = 'apdesk.log'): Logger {
  const dir = join(dataDir, 'logs');
  let pending: Promise<void> = Promise.resolve();
  return {
    log(level, message, context = {}) {
      const line = `${JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, message, ...(redact(context) as object) })}\n`;
      pending = pending
        .then(() => mkdir(dir, { recursive: true }))
        .then(() => appendFile(join(dir, file), line, { mode: 0o600 }))
        .catch(() => undefined);
    },
    flush: () => pending,
  };
}

export const silentLogger: Logger = { log() {}, flush: async () => undefined };
