import { DATAFUSION_MACROS } from './datafusion-macros.js';
import { HISTOGRAM_MACROS } from './histogram-macros.js';
import { JSONB_MACROS } from './jsonb-macros.js';
import { PROPERTY_CONVERSIONS, PROPERTY_MACROS } from './properties-macros.js';

/**
 * Scalar and aggregate SQL functions of the micromegas dialect, as DuckDB macros defined once per
 * engine (before the configuration is locked), each after the macros it calls. Helpers carry a `mm_`
 * prefix. docs/micromegas-sql.md lists them against micromegas'.
 */
export const MACROS: readonly string[] = [
  ...PROPERTY_CONVERSIONS,
  ...JSONB_MACROS,
  ...PROPERTY_MACROS,
  ...HISTOGRAM_MACROS,
  ...DATAFUSION_MACROS,
];
