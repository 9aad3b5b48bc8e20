/**
 * Constants of the binary payload layout (docs/wire-format.md). Bump FORMAT_VERSION on any change
 * a version-1 reader could misread.
 */
export const FORMAT_VERSION = 1;
export const OBJECTS_FORMAT = 'micromegas-ts/events';
export const DEPENDENCIES_FORMAT = 'micromegas-ts/dependencies';

/** Dependency record kinds; a record's block-local id is its position in the section. */
export const DepKind = { String: 1, SpanDesc: 2, MetricDesc: 3 } as const;

/** Event record kinds: the low 6 bits of an event's tag byte. */
export const EventKind = {
  Log: 1,
  IntMeasure: 2,
  FloatMeasure: 3,
  SpanBegin: 4,
  SpanEnd: 5,
  AsyncBegin: 6,
  AsyncEnd: 7,
} as const;

/** Tag bit: a property list ends the record. */
export const TAG_PROPERTIES = 0x80;
/** Tag bit on IntMeasure: the stored magnitude `u` means `-1 - u`. */
export const TAG_NEGATIVE = 0x40;
export const KIND_MASK = 0x3f;

/** Log levels as micromegas numbers them. */
export const Level = { Fatal: 1, Error: 2, Warn: 3, Info: 4, Debug: 5, Trace: 6 } as const;
export type LevelNumber = (typeof Level)[keyof typeof Level];
