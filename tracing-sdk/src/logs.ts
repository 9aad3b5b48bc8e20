/** Logs: levels 1 (fatal) to 6 (trace), a target, a message, optional properties. */
import { Level } from '@micromegas/wire';
import { active } from './state.js';
import { targetId } from './registry.js';
import type { PropertyBag } from './event-buffer.js';

function record(level: number, id: number, target: string, msg: string, properties?: PropertyBag): void {
  const buf = active.log;
  // Coerced here so a stray non-string cannot break the hand-over later.
  if (buf !== null) buf.log(level, id, target, typeof msg === 'string' ? msg : String(msg), properties);
}

function recordFree(level: number, target: string, msg: string, properties?: PropertyBag): void {
  if (active.log === null) return;
  const name = typeof target === 'string' ? target : String(target);
  record(level, targetId(name), name, msg, properties);
}

/** A logger bound to one target (interned once): the cheap form for hot code. */
export class Logger {
  readonly target: string;
  private readonly id: number;
  constructor(target: string) {
    this.target = String(target);
    this.id = targetId(this.target);
  }
  fatal(msg: string, properties?: PropertyBag): void {
    record(Level.Fatal, this.id, this.target, msg, properties);
  }
  error(msg: string, properties?: PropertyBag): void {
    record(Level.Error, this.id, this.target, msg, properties);
  }
  warn(msg: string, properties?: PropertyBag): void {
    record(Level.Warn, this.id, this.target, msg, properties);
  }
  info(msg: string, properties?: PropertyBag): void {
    record(Level.Info, this.id, this.target, msg, properties);
  }
  debug(msg: string, properties?: PropertyBag): void {
    record(Level.Debug, this.id, this.target, msg, properties);
  }
  trace(msg: string, properties?: PropertyBag): void {
    record(Level.Trace, this.id, this.target, msg, properties);
  }
  log(level: number, msg: string, properties?: PropertyBag): void {
    record(level >= 1 && level <= 6 ? level : Level.Info, this.id, this.target, msg, properties);
  }
}

export function logger(target: string): Logger {
  return new Logger(target);
}

export const fatal = (target: string, msg: string, properties?: PropertyBag): void => recordFree(Level.Fatal, target, msg, properties);
export const error = (target: string, msg: string, properties?: PropertyBag): void => recordFree(Level.Error, target, msg, properties);
export const warn = (target: string, msg: string, properties?: PropertyBag): void => recordFree(Level.Warn, target, msg, properties);
export const info = (target: string, msg: string, properties?: PropertyBag): void => recordFree(Level.Info, target, msg, properties);
export const debug = (target: string, msg: string, properties?: PropertyBag): void => recordFree(Level.Debug, target, msg, properties);
export const trace = (target: string, msg: string, properties?: PropertyBag): void => recordFree(Level.Trace, target, msg, properties);
