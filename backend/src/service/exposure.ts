/**
 * Nothing listens beyond loopback without API keys: a role asked to bind another address while no
 * key is configured refuses to start (rather than warn: a warning scrolls by in a container's log
 * while the lake lies open on the network, which is what this prevents).
 */
import { isIP } from 'node:net';
import { ConfigError } from '../config.js';
import type { Authenticator } from '../auth/authenticator.js';

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Throws a ConfigError naming `variable` when `host` is not loopback and no key is required. */
export function checkExposure(variable: string, host: string, authenticator: Authenticator): void {
  if (authenticator.required || isLoopback(host)) return;
  throw new ConfigError(variable, host,
    'a loopback address (127.0.0.1, ::1, localhost) while no API key is configured: '
    + 'set MICROMEGAS_ADMIN_KEY or create a key (micromegas keys create --role admin) to listen beyond loopback');
}
