import type { Migration } from './migration.js';
import { telemetryTables } from './0001-telemetry-tables.js';
import { lakehousePartitions } from './0002-lakehouse-partitions.js';
import { maintenanceLeases } from './0003-maintenance-leases.js';
import { apiKeys } from './0004-api-keys.js';
import { blockPacks } from './0005-block-packs.js';
import { sourceChanges } from './0006-source-changes.js';

/** Every migration, oldest first. To add one: a new file here and one line below. */
export const migrations: readonly Migration[] = [
  telemetryTables,
  lakehousePartitions,
  maintenanceLeases,
  apiKeys,
  blockPacks,
  sourceChanges,
];
