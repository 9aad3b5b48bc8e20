// What a handler knows about the gRPC call it serves, besides the request message.
export interface CallContext {
  /** Aborted when Grafana cancels the call (the user left the dashboard, a deadline passed) or the plugin shuts down. */
  signal: AbortSignal;
  /** Grafana's tenant (gRPC metadata `tenantID`), part of the instance key as in sdk-go; empty on a single-tenant Grafana. */
  tenantId: string;
}
