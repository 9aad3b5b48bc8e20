import { QueryError } from '../engine.js';
import type { AstNode } from '../sql/parser.js';

/**
 * Settings a query may read with current_setting(): what shapes results and the engine's bounds,
 * none of them a server path. The others (allowed_directories, temp_directory, home_directory, …)
 * would tell a client where the server keeps its files, so they are refused, and so is a name
 * computed at run time. An allow-list: a setting DuckDB adds later stays unreadable.
 */
const READABLE_SETTINGS = new Set([
  'timezone', 'calendar', 'memory_limit', 'threads', 'enable_external_access', 'lock_configuration',
  'autoload_known_extensions', 'autoinstall_known_extensions',
]);

/** Throws for a current_setting() call that could reveal the server's configuration. */
export function checkSettingRead(node: AstNode): void {
  if (node.class !== 'FUNCTION' || String(node.function_name).toLowerCase() !== 'current_setting') return;
  const [arg] = (node.children as AstNode[] | undefined) ?? [];
  const value = arg?.class === 'CONSTANT' ? (arg.value as { value?: unknown } | undefined)?.value : undefined;
  if (typeof value === 'string' && READABLE_SETTINGS.has(value.toLowerCase())) return;
  throw new QueryError('permission_denied',
    `current_setting(${typeof value === 'string' ? `'${value}'` : '…'}) is not allowed: the server's settings are not readable by queries ` +
    `(only ${[...READABLE_SETTINGS].join(', ')} are)`);
}
