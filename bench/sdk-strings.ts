/**
 * How the recording thread should hand strings (log messages, property values) to the SDK's
 * worker: the worker cannot read the recording thread's heap, so each string is copied once on
 * the recording thread. Options, per string recorded, on the recording thread's CPU clock:
 * - encode each string as it is recorded into the slab's shared byte area (a JS loop for ASCII,
 *   Buffer#write otherwise; or TextEncoder#encodeInto);
 * - keep references and post the string array with the slab (structured clone);
 * - keep references and lengths, then one join and one UTF-8 write per block (what the SDK does).
 */
import { MessageChannel } from 'node:worker_threads';
import { median, type CpuClock } from './sdk-measure.js';

const STRINGS = 4096;
const ROUNDS = 7;
const BATCHES = 8;

type Recorder = {
  /** Records one string (the hot path part). */
  record(s: string, i: number): void;
  /** Once per block of STRINGS strings (the hand-over part). */
  handOver(): void;
};

function options(): Record<string, Recorder> {
  const bytes = Buffer.from(new SharedArrayBuffer(STRINGS * 3 * 100));
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengths = new Uint32Array(new SharedArrayBuffer(STRINGS * 4));
  const refs = new Array<string>(STRINGS).fill('');
  const encoder = new TextEncoder();
  const { port1, port2 } = new MessageChannel();
  port2.on('message', () => undefined);
  port1.unref();
  port2.unref();
  let pos = 0;
  /** The 2-byte length before the `n` bytes just written at pos + 2. */
  const lengthPrefix = (n: number): void => {
    view[pos] = n & 0xff;
    view[pos + 1] = n >> 8;
    pos += 2 + n;
  };
  return {
    'encode at record (JS loop, Buffer#write if not ASCII)': {
      record(s) {
        const len = s.length;
        let i = 0;
        for (; i < len; i++) {
          const c = s.charCodeAt(i);
          if (c >= 0x80) break;
          view[pos + 2 + i] = c;
        }
        lengthPrefix(i === len ? len : bytes.write(s, pos + 2, 'utf8'));
      },
      handOver() {
        pos = 0;
      },
    },
    'encode at record (TextEncoder#encodeInto)': {
      record(s) {
        lengthPrefix(encoder.encodeInto(s, view.subarray(pos + 2)).written);
      },
      handOver() {
        pos = 0;
      },
    },
    'post the strings (structured clone)': {
      record(s, i) {
        refs[i] = s;
      },
      handOver() {
        port1.postMessage(refs);
      },
    },
    'one join + one UTF-8 write per block (chosen)': {
      record(s, i) {
        refs[i] = s;
        lengths[i] = s.length;
      },
      handOver() {
        bytes.write(refs.join(''), 0, 'utf8');
        refs.fill('');
      },
    },
  };
}

/** Fresh strings each batch, as an app builds them (not measured). */
const workloads: Record<string, (b: number, i: number) => string> = {
  'literal, 12 ASCII': () => 'player moved',
  'template, ~25 ASCII': (b, i) => `player ${i} moved to ${b},${i * 7}`,
  'concatenated, 80 ASCII': (b, i) => 'request handled for account ' + String(b * STRINGS + i).padStart(12, '0') + ' in region eu-west with status ok',
  'template, 24 non-ASCII': (b, i) => `joueur déplacé ${i} → nord ${b}`,
};

export function measureStringOptions(cpu: CpuClock): void {
  const recorders = options();
  const rows: Record<string, string | number>[] = [];
  for (const [workload, make] of Object.entries(workloads)) {
    const batches = Array.from({ length: BATCHES }, (_, b) => Array.from({ length: STRINGS }, (_, i) => make(b, i)));
    const row: Record<string, string | number> = { strings: workload };
    for (const [name, recorder] of Object.entries(recorders)) {
      const samples: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = cpu.now();
        for (const batch of batches) {
          for (let i = 0; i < STRINGS; i++) recorder.record(batch[i]!, i);
          recorder.handOver();
        }
        samples.push((cpu.now() - t0) / (BATCHES * STRINGS));
      }
      row[name] = median(samples).toFixed(1);
    }
    rows.push(row);
  }
  console.log(`\nStrings to the worker: recording-thread ns per string (${cpu.name}; median of ${ROUNDS})`);
  console.table(rows);
}
