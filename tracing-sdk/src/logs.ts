/** Logs: levels 1 (fatal) to 6 (trace), a target, a message, optional properties. */
import { Level } from '@micromegas/wire';
import { active } from './state.js';
import type { PropertyBag } from './event-buffer.js';

function record(level: number, target: string, msg: string, properties?: PropertyBag): void {
  const buf = active.log;
    // Coerced here so a stray non-string cannot break the seal later.
  if (buf !== null) buf.log(level, typeof target === 'string' ? target : String(target), typeof msg === 'string' ? msg : String(msg), properties);
}

/** A logger bound to one target: the cheap form for hot code. */
export class Logger {
  constructor(readonly target: string) {}
  fatal(msg: string, properties?: PropertyBag): void {
    record(Level.Fatal, this.target, msg, properties);
  }
  error(msg: string, properties?: PropertyBag): void {
    record(Level.Error, this.target, msg, properties);
  }
  warn(msg: string, properties?: PropertyBag): void {
    record(Level.Warn, this.target, msg, properties);
  }
  info(msg: string, properties?: PropertyBag): void {
    record(Level.Info, this.target, msg, properties);
  }
  debug(msg: string, properties?: PropertyBag): void {
    record(Level.Debug, this.target, msg, properties);
  }
  trace(msg: string, properties?: PropertyBag): void {
    record(Level.Trace, this.target, msg, properties);
  }
  log(level: number, msg: string, properties?: PropertyBag): void {
    record(level >= 1 && level <= 6 ? level : Level.Info, this.target, msg, properties);
  }
}

export function logger(target: string): Logger {
  return new Logger(String(target));
}

export const fatal = (target: string, msg: string, properties?: PropertyBag): void => record(Level.Fatal, target, msg, properties);
export const error = (target: string, msg: string, properties?: PropertyBag): void => record(Level.Error, target, msg, properties);
export const warn = (target: string, msg: string, properties?: PropertyBag): void => record(Level.Warn, target, msg, properties);
export const info = (target: string, msg: string, properties?: PropertyBag): void => record(Level.Info, target, msg, properties);
export const debug = (target: string, msg: string, properties?: PropertyBag): void => record(Level.Debug, target, msg, properties);
export const trace = (target: string, msg: string, properties?: PropertyBag): void => record(Level.Trace, target, msg, properties);
