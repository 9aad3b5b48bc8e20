/**
 * Entry of the SDK's worker thread (one per recording thread that calls init()). It waits out the
 * clock calibration, then serves the recording thread's messages in order: new slabs, slabs to
 * encode, and the shutdown, which it answers with whether everything was delivered.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sink, type SinkInit, type SinkMessage } from './sink.js';
import { CALIBRATION_MS } from './tsc.js';

export type SinkReply = { t: 'delivered'; delivered: boolean };

const init = workerData as SinkInit;
const port = parentPort!;
const sink = new Sink(init);
// Messages wait in the port meanwhile: blocks are timed only once the counter's rate is known.
if (init.clock.source === 'tsc') await sleep(CALIBRATION_MS);
sink.start();
port.on('message', (message: SinkMessage) => {
  const done = sink.handle(message);
  if (done !== undefined) {
    void done.then((delivered) => {
      port.postMessage({ t: 'delivered', delivered } satisfies SinkReply);
      port.close();
    });
  }
});
