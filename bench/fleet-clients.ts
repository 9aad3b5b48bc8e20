/** Forks the fleet's client processes (./fleet-client.ts) and splits the simulated processes among them. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientJob, ClientReport } from './fleet-client.js';

export interface FleetLoad {
  processes: number;
  clients: number;
  warmupSeconds: number;
  seconds: number;
  /** A process's blocks of a second in one insert_blocks request (as the SDK sends them), else a request each. */
  batch: boolean;
}

/** `onGo`: called when the whole fleet is registered and starts sending, 500 ms later. */
export function runClients(url: string, load: FleetLoad, onGo: () => void): Promise<ClientReport[]> {
  const { processes, clients } = load;
  const children = Array.from({ length: clients }, () => fork(fileURLToPath(new URL('./fleet-client.js', import.meta.url)), ['fleet-client'], { stdio: 'inherit' }));
  const per = Math.ceil(processes / clients);
  let registered = 0;
  return Promise.all(children.map((child, c) => new Promise<ClientReport>((resolve, reject) => {
    const job: ClientJob = {
      url, first: c * per, count: Math.max(0, Math.min(per, processes - c * per)), fleetSize: processes,
      warmupSeconds: load.warmupSeconds, seconds: load.seconds, batch: load.batch,
    };
    child.on('message', (message: { registered?: true } & ClientReport) => {
      if (!message.registered) { resolve(message); return; }
      // Every client starts its schedule together, once the whole fleet is registered.
      if (++registered < clients) return;
      for (const c of children) c.send({ goMs: Date.now() + 500 });
      onGo();
    });
    child.on('exit', (code) => { if (code !== 0) reject(new Error(`fleet client exited with ${code}`)); });
    child.send(job);
  })));
}
