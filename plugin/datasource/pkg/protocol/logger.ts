// go-plugin forwards every stderr line of a plugin to the host's log; lines that parse as JSON in
// hclog's shape (@level, @message, @timestamp, extra keys as fields) keep their level and fields.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export function jsonLinesLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  return {
    log(level, message, fields = {}) {
      const record = { '@level': level, '@message': message, '@timestamp': new Date().toISOString(), ...fields };
      write(JSON.stringify(record) + '\n');
    },
  };
}
