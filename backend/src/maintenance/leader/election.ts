/**
 * One active maintenance scheduler per lake: every instance asks on each tick, one is told yes, the
 * others keep asking and take over once the leader is gone.
 */
export interface LeaderElection {
  /** What elects (for log lines), e.g. 'advisory lock 123 (schema public)'. */
  readonly description: string;
  /**
   * Becomes or stays the leader when it can; false while another instance leads. Call it before each
   * round of work: leadership can be lost between calls (connection dropped, lease expired).
   * `now` is the caller's clock, which leases expire by.
   */
  lead(now: Date): Promise<boolean>;
  /** Gives leadership up so that another instance can take over at once. */
  release(): Promise<void>;
}
