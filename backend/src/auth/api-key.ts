import { createHash, randomBytes } from 'node:crypto';

/** Marks a string as a Micromegas secret, for humans and secret scanners (micromegas uses the same). */
export const KEY_PREFIX = 'mmk_';

/** A new key: 256 random bits, base64url, prefixed. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * What the database keeps of a key: its SHA-256, hex. No password KDF (scrypt, argon2) on purpose:
 * a KDF makes guessing a low-entropy password slow, but these keys are 256 random bits, beyond any
 * guessing however fast the hash; a salted KDF would also forbid looking a key up by its hash, so
 * every request would have to run it against every key, an easy way to burn the server's CPU. A
 * keyed hash (HMAC) would only add a server secret to manage and rotate, for no gain with keys this
 * long. MICROMEGAS_ADMIN_KEY, which a person may choose, is never stored (see config.ts).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
