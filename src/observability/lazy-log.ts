// Per-connection loggers that cost nothing until they log. A pino child is an object with its
// own serialized bindings and property table (~1 KiB per connection and session, two per idle
// client); most connections never log above the configured level after login, so the child is
// built only for a line that is written, from bindings kept as they are. The output is the same
// as with parent.child(bindings).
import type { Logger } from './log.ts';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Bindings = Record<string, unknown>;

class LazyChild {
  constructor(
    private readonly parent: Logger,
    /** Bindings, or a function making them (so a JID is stringified only when a line is written). */
    private readonly bindings: Bindings | (() => Bindings),
  ) {}

  private write(level: Level, args: unknown[]): void {
    if (!this.parent.isLevelEnabled(level)) return;
    const b = typeof this.bindings === 'function' ? this.bindings() : this.bindings;
    (this.parent.child(b)[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(more: Bindings): Logger {
    const b = this.bindings;
    return lazyChild(this.parent, () => ({ ...(typeof b === 'function' ? b() : b), ...more }));
  }
  isLevelEnabled(level: string): boolean {
    return this.parent.isLevelEnabled(level);
  }
  get level(): string {
    return this.parent.level;
  }
  get levelVal(): number {
    return this.parent.levelVal;
  }
}

/** parent.child(bindings), built only when a line at an enabled level is written. */
export function lazyChild(parent: Logger, bindings: Bindings | (() => Bindings)): Logger {
  return new LazyChild(parent, bindings) as unknown as Logger;
}
