import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance (tests run several in one process). Concerns add their own metrics here. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hybridwatch_' });
  const m = {
    registry,
    activities: new Counter({ name: 'hybridwatch_activities_total', help: 'Bot Framework activities received, by type and result', labelNames: ['type', 'result'] as const, registers: [registry] }),
    tenantRejected: new Counter({ name: 'hybridwatch_tenant_rejected_total', help: 'Activities refused because their tenant is not in ALLOWED_TENANT_IDS', registers: [registry] }),
    roleChecks: new Counter({ name: 'hybridwatch_role_checks_total', help: 'Role checks by capability and outcome (allowed, denied, error)', labelNames: ['capability', 'outcome'] as const, registers: [registry] }),
    commands: new Counter({ name: 'hybridwatch_commands_total', help: 'Chat commands and card actions handled', labelNames: ['name'] as const, registers: [registry] }),
    handlerErrors: new Counter({ name: 'hybridwatch_handler_errors_total', help: 'Errors inside command and action handlers', labelNames: ['name'] as const, registers: [registry] }),
    directoryErrors: new Counter({ name: 'hybridwatch_directory_errors_total', help: 'Directory (Graph / DIRECTORY_FILE) errors by status', labelNames: ['status'] as const, registers: [registry] }),
    httpDuration: new Histogram({ name: 'hybridwatch_http_request_duration_seconds', help: 'HTTP request duration by route', labelNames: ['route', 'status'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    badRequests: new Counter({ name: 'hybridwatch_bad_requests_total', help: 'Requests refused as malformed, by route and reason', labelNames: ['route', 'reason'] as const, registers: [registry] }),
    ledgerSize: new Gauge({ name: 'hybridwatch_ledger_alerts', help: 'Alerts in the ledger (sampled at scrape)', registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
