/**
 * DuckDB's external file cache keeps the bytes of every Parquet file read in the buffer pool until
 * memory_limit: the lake's partitions are read once each (by a merge, by a query of the recent
 * window) and then replaced, so the cache only grows (about 20 MB a minute of an idle server, its
 * own telemetry alone). The files are on local disk (the lake cache) and the OS caches them already.
 * Every DuckDB instance of the backend opens with it off.
 */
export const WITHOUT_FILE_CACHE = { enable_external_file_cache: 'false' } as const;
