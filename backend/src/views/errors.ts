/** A partition could not be built: says which one and why (the cause is attached). */
export class PartitionBuildError extends Error {
  override name = 'PartitionBuildError';
  constructor(readonly viewSet: string, readonly instanceId: string, readonly beginInsert: Date, message: string, options?: ErrorOptions) {
    super(`${viewSet}/${instanceId} partition from ${beginInsert.toISOString()}: ${message}`, options);
  }
}
