/**
 * The maintenance scheduler: on each tick, if it leads, runs whatever schedules are due at `now`
 * (see ./schedules.ts) and their chores, and reports each task as an event. Time comes in as an
 * argument, so tests drive it tick by tick; ./loop.ts drives it from the wall clock.
 *
 * Every task is idempotent (a partition is rebuilt only when its sources changed, replacements are
 * one transaction each, deletions are batched and resumable), so a tick that fails half-way leaves
 * queries correct and the next tick of the same schedule repairs the window.
 */
import type { MetadataStore } from '../../lake/metadata/store.js';
import type { ObjectStore } from '../../lake/object-store/store.js';
import type { ViewCatalog } from '../../views/catalog.js';
import type { LeaderElection } from '../leader/election.js';
import type { MaintenanceEvent } from '../events.js';
import { retentionCutoff, type MaintenanceSettings } from '../settings.js';
import { applyRetention } from '../retention/retention.js';
import { applyTailSampling, type ProcessSelector } from '../retention/tail-sampling.js';
import { vacuumMetadata } from '../vacuum/vacuum.js';
import { deleteDueFiles } from '../../views/expired-files.js';
import { openSince } from '../../views/insert-seconds.js';
import { rowsInWindow } from '../window-rows.js';
import { windowActivity } from '../window-activity.js';
import { schedules as defaultSchedules, tickOf, windowOf, withViewSets, type Chore, type Schedule, type ScheduleName } from './schedules.js';

/** How long after a second a transaction could still have taken it as insert time without being listed yet. */
export const CLOSING_MARGIN_SECONDS = 0.2;

/** How many periods back a tick in steps reaches for the periods its skipped ticks left (see `#open`). */
const MAX_CATCH_UP_PERIODS = 60;

export interface SchedulerDeps {
  election: LeaderElection;
  /** `userViews`: user-defined view sets, scheduled after the built-in ones unless `schedules` is given. */
  catalog: Pick<ViewCatalog, 'materializePartitions'> & { readonly userViews?: readonly string[] };
  db: MetadataStore;
  objects: ObjectStore;
  settings: MaintenanceSettings;
  /** Required when `settings.tailSampling` is set. */
  selector?: ProcessSelector;
  onEvent?: (event: MaintenanceEvent) => void;
  schedules?: readonly Schedule[];
  /** The process id of the backend's own telemetry, when it records some (see ../window-activity.ts). */
  ownProcessId?: () => string | undefined;
}

/** Tail sampling is configured but nothing runs its query. */
export class MissingSelectorError extends Error {
  override name = 'MissingSelectorError';
  constructor() {
    super('tail sampling is configured (MICROMEGAS_TAIL_SAMPLING_QUERY) but the scheduler was given no process selector');
  }
}

/** The insert-time window a tick builds; `quiet`: only the backend's own telemetry was inserted in it. */
interface TickWindow {
  begin: Date;
  end: Date;
  quiet: boolean;
}

/** A tick's steps left: view sets over its window, then chores. */
interface TickWork {
  schedule: Schedule;
  steps: ({ viewSet: string; window: TickWindow } | { chore: Chore })[];
}

export class MaintenanceScheduler {
  /** The last tick each schedule ran, while leading (forgotten on losing leadership). */
  readonly #lastTick = new Map<ScheduleName, number>();
  /** Where each schedule's last window ended (ms since the epoch), while leading. */
  readonly #coveredUntil = new Map<ScheduleName, number>();
  #leader: boolean | undefined;
  /** Ticks of schedules in steps, in the order they came due, with the steps they have left. */
  readonly #queue: TickWork[] = [];
  /** Where the last tail sampling run stopped judging, while leading: the next one starts there. */
  #sampledUntil: Date | undefined;
  readonly #schedules: readonly Schedule[];

  constructor(private readonly deps: SchedulerDeps) {
    if (deps.settings.tailSampling !== undefined && deps.selector === undefined) throw new MissingSelectorError();
    this.#schedules = deps.schedules ?? withViewSets(defaultSchedules, deps.catalog.userViews ?? []);
  }

  get leader(): boolean {
    return this.#leader === true;
  }

  /**
   * One tick: returns the events it reported (none but leadership changes when not leading).
   * Schedules due at `now` run whole, except those in steps (`Schedule.inSteps`): their ticks queue
   * up, and the queue's steps (the shortest period's first) run after the rest while the call has
   * run less than `stepBudgetMs` (at least one step a call, so they progress; all of them by default).
   */
  async runOnce(now: Date, options: { stepBudgetMs?: number } = {}): Promise<MaintenanceEvent[]> {
    const started = performance.now();
    const events: MaintenanceEvent[] = [];
    const emit = (e: MaintenanceEvent) => {
      events.push(e);
      this.deps.onEvent?.(e);
    };
    const leader = await this.deps.election.lead(now);
    if (leader !== this.#leader) emit({ kind: 'leadership', leader, election: this.deps.election.description });
    this.#leader = leader;
    if (!leader) {
      this.#forget();
      return events;
    }
    for (const schedule of this.#schedules) {
      const tick = tickOf(schedule, now);
      if (this.#lastTick.get(schedule.name) === tick) continue;
      // Its next tick waits for the one in progress: their windows overlap, so nothing is skipped.
      if (schedule.inSteps === true && this.#queue.some((w) => w.schedule === schedule)) continue;
      const work = await this.#open(schedule, tick);
      this.#lastTick.set(schedule.name, tick);
      if (schedule.inSteps === true) this.#queue.push(work);
      else while (work.steps.length > 0) await this.#step(work, now, emit);
    }
    const budget = options.stepBudgetMs ?? Infinity;
    for (let steps = 0; this.#queue.length > 0 && (steps === 0 || performance.now() - started < budget); steps++) {
      // The shortest period first: a minute's merge is not kept waiting behind an hour's.
      const work = this.#queue.reduce((a, b) => (b.schedule.periodSeconds < a.schedule.periodSeconds ? b : a));
      await this.#step(work, now, emit);
      if (work.steps.length === 0) this.#queue.splice(this.#queue.indexOf(work), 1);
    }
    return events;
  }

  /** Stops leading (another instance takes over at once). */
  async resign(): Promise<void> {
    this.#forget();
    this.#leader = undefined;
    await this.deps.election.release();
  }

  /** What another instance may have done meanwhile makes the progress remembered here stale. */
  #forget(): void {
    this.#lastTick.clear();
    this.#coveredUntil.clear();
    this.#queue.length = 0;
    this.#sampledUntil = undefined;
  }

  /** A tick's work: its view sets over its window (none when there is nothing to build), then its chores. */
  async #open(schedule: Schedule, tick: number): Promise<TickWork> {
    const chores = schedule.chores.map((chore) => ({ chore }));
    const { begin: due, end } = schedule.untilClosed ? await this.#closedPart(schedule, tick) : windowOf(schedule, tick);
    const covered = this.#coveredUntil.get(schedule.name);
    // A tick in steps that waited behind a long step (an hour's merge of a large fleet takes minutes)
    // starts where the last one ended, so the periods whose ticks were skipped meanwhile are merged too.
    const begin = schedule.inSteps === true && covered !== undefined && covered < due.getTime()
      ? new Date(Math.max(covered, due.getTime() - MAX_CATCH_UP_PERIODS * schedule.periodSeconds * 1000))
      : due;
    if (end <= begin) return { schedule, steps: chores };
    // What the tick before covered is only checked again: whether there is work is told by the rest.
    const fresh = covered !== undefined && covered > begin.getTime() && covered <= end.getTime() ? new Date(covered) : begin;
    this.#coveredUntil.set(schedule.name, end.getTime());
    // Unknown activity (the query failed) counts as work: the view sets then report their own errors.
    const activity = fresh >= end ? 'none' : await windowActivity(this.deps.db, fresh, end, this.deps.ownProcessId?.()).catch(() => 'others' as const);
    if (activity !== 'others' && schedule.onlyForOthers) return { schedule, steps: chores };
    const window = { begin, end, quiet: activity !== 'others' };
    return { schedule, steps: [...schedule.viewSets.map((viewSet) => ({ viewSet, window })), ...chores] };
  }

  /** Runs the next step of `work`. */
  async #step(work: TickWork, now: Date, emit: (e: MaintenanceEvent) => void): Promise<void> {
    const step = work.steps.shift()!;
    if ('chore' in step) await this.#chore(step.chore, now, emit);
    else await this.#materialize(work.schedule, step.viewSet, step.window, emit);
  }

  async #materialize(schedule: Schedule, viewSet: string, window: TickWindow, emit: (e: MaintenanceEvent) => void): Promise<void> {
    const { begin, end, quiet } = window;
    const started = performance.now();
    try {
      const partitions = await this.deps.catalog.materializePartitions(viewSet, begin, end, schedule.periodSeconds);
      const rows = partitions === 0 ? 0 : await rowsInWindow(this.deps.db, viewSet, begin, end);
      emit({ kind: 'materialize', schedule: schedule.name, viewSet, begin, end, partitions, rows, seconds: elapsed(started), quiet });
    } catch (err) {
      emit({ kind: 'failed', task: 'materialize', schedule: schedule.name, viewSet, error: asError(err), seconds: elapsed(started) });
    }
  }

  /**
   * The whole periods of the tick's window whose inserts are complete. The margin is narrow: a
   * period taken for closed a moment early is only rebuilt at the next tick, which checks it again.
   * When the database cannot tell, the window's last period is left for later.
   */
  async #closedPart(schedule: Schedule, tick: number): Promise<{ begin: Date; end: Date }> {
    const { begin, end } = windowOf(schedule, tick);
    const periodMs = schedule.periodSeconds * 1000;
    const open = await openSince(this.deps.db, CLOSING_MARGIN_SECONDS).catch(() => undefined);
    const closed = open === undefined ? end.getTime() - periodMs : Math.floor(open / periodMs) * periodMs;
    return { begin, end: new Date(Math.min(end.getTime(), closed)) };
  }

  async #chore(chore: Chore, now: Date, emit: (e: MaintenanceEvent) => void): Promise<void> {
    const { db, objects, settings } = this.deps;
    const started = performance.now();
    try {
      switch (chore) {
        case 'sweep': {
          const files = await deleteDueFiles(db, (path) => objects.delete(path), { now, batchSize: settings.batchSize });
          emit({ kind: 'sweep', files, seconds: elapsed(started) });
          break;
        }
        case 'retention': {
          const report = await applyRetention(db, objects, { cutoff: retentionCutoff(settings, now), now, batchSize: settings.batchSize, dryRun: false });
          emit({ kind: 'retention', report, seconds: elapsed(started) });
          break;
        }
        case 'tail_sampling': {
          if (settings.tailSampling === undefined) break;
          const olderThan = new Date(now.getTime() - settings.tailSampling.minAgeSeconds * 1000);
          const report = await applyTailSampling(db, {
            olderThan, since: this.#sampledUntil, now, select: this.deps.selector!, batchSize: settings.batchSize, dryRun: false,
          });
          this.#sampledUntil = olderThan;
          emit({ kind: 'tail_sampling', report, seconds: elapsed(started) });
          break;
        }
        case 'vacuum':
          emit({ kind: 'vacuum', report: await vacuumMetadata(db), seconds: elapsed(started) });
          break;
      }
    } catch (err) {
      emit({ kind: 'failed', task: chore, error: asError(err), seconds: elapsed(started) });
    }
  }
}

function elapsed(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
