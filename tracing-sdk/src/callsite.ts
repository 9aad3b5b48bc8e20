import { fileURLToPath } from 'node:url';

/** Where a descriptor was created: its filename and line, read once, never on the hot path. */
export interface CallSite {
  filename: string;
  line: number;
}

/** The call site `depth` frames above the caller of this function. */
export function callSite(depth: number): CallSite {
  const original = Error.prepareStackTrace;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.prepareStackTrace = (_err, frames) => frames;
    Error.captureStackTrace(holder, callSite);
    const frame = holder.stack?.[depth];
    const file = frame?.getFileName() ?? '';
    return { filename: file.startsWith('file:') ? fileURLToPath(file) : file, line: frame?.getLineNumber() ?? 0 };
  } finally {
    Error.prepareStackTrace = original;
  }
}
