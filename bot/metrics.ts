import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance (tests run several in one process). Concerns add their own metrics here. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hybridwatch_' });
  // Counters that catch up with an outside count (the kernel's UDP drops) when /metrics is read.
  const scrapeSync: Array<() => void> = [];
  const m = {
    registry,
    scrapeSync,
    activities: new Counter({ name: 'hybridwatch_activities_total', help: 'Bot Framework activities received, by type and result', labelNames: ['type', 'result'] as const, registers: [registry] }),
    tenantRejected: new Counter({ name: 'hybridwatch_tenant_rejected_total', help: 'Activities refused because their tenant is not in ALLOWED_TENANT_IDS', registers: [registry] }),
    roleChecks: new Counter({ name: 'hybridwatch_role_checks_total', help: 'Role checks by capability and outcome (allowed, denied, error)', labelNames: ['capability', 'outcome'] as const, registers: [registry] }),
    commands: new Counter({ name: 'hybridwatch_commands_total', help: 'Chat commands and card actions handled', labelNames: ['name'] as const, registers: [registry] }),
    handlerErrors: new Counter({ name: 'hybridwatch_handler_errors_total', help: 'Errors inside command and action handlers', labelNames: ['name'] as const, registers: [registry] }),
    directoryErrors: new Counter({ name: 'hybridwatch_directory_errors_total', help: 'Directory (Graph / DIRECTORY_FILE) errors by status', labelNames: ['status'] as const, registers: [registry] }),
    httpDuration: new Histogram({ name: 'hybridwatch_http_request_duration_seconds', help: 'HTTP request duration by route', labelNames: ['route', 'status'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    badRequests: new Counter({ name: 'hybridwatch_bad_requests_total', help: 'Requests refused as malformed, by route and reason', labelNames: ['route', 'reason'] as const, registers: [registry] }),
    dbQueries: new Counter({ name: 'hybridwatch_db_queries_total', help: 'SQL statements sent to the database (begin and commit included), for statements per alert', registers: [registry] }),
    ledgerSize: new Gauge({ name: 'hybridwatch_ledger_alerts', help: 'Alerts in the ledger (sampled at scrape)', registers: [registry] }),
    // notify (issue 6): the outbox and its delivery to Teams
    notifyOutboxDepth: new Gauge({ name: 'hybridwatch_notify_outbox_depth', help: 'Outbox rows waiting to be delivered', registers: [registry] }),
    notifyOutboxAge: new Gauge({ name: 'hybridwatch_notify_outbox_oldest_seconds', help: 'Age of the oldest undelivered outbox row', registers: [registry] }),
    notifyLatency: new Histogram({ name: 'hybridwatch_notify_delivery_seconds', help: 'Outbox row written → Teams accepted it', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry] }),
    notifySent: new Counter({ name: 'hybridwatch_notify_sent_total', help: 'Bot Connector writes that succeeded, by operation', labelNames: ['op'] as const, registers: [registry] }),
    notifyThrottled: new Counter({ name: 'hybridwatch_notify_throttled_total', help: 'Bot Connector 429 answers (each one waits Retry-After)', registers: [registry] }),
    notifyForbidden: new Counter({ name: 'hybridwatch_notify_forbidden_total', help: 'Bot Connector 403 answers: the conversation is marked inactive', registers: [registry] }),
    notifyFailed: new Counter({ name: 'hybridwatch_notify_failed_total', help: 'Outbox rows given up, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    notifyRetries: new Counter({ name: 'hybridwatch_notify_retries_total', help: 'Retried writes, by status', labelNames: ['status'] as const, registers: [registry] }),
    // On-premises source (issue 3): syslog / HTTP CEF messages.
    ingest: new Counter({ name: 'hybridwatch_ingest_total', help: 'On-premises messages by source (udp, tcp, http) and result (new, updated, duplicate, ignored, health, rejected)', labelNames: ['source', 'result'] as const, registers: [registry] }),
    ingestRejected: new Counter({ name: 'hybridwatch_ingest_rejected_total', help: 'On-premises messages refused, by source and reason', labelNames: ['source', 'reason'] as const, registers: [registry] }),
    syslogConnections: new Counter({ name: 'hybridwatch_syslog_connections_total', help: 'Syslog TCP connections accepted', registers: [registry] }),
    // Back-pressure (issue 16).
    syslogUdpDropped: new Counter({ name: 'hybridwatch_syslog_udp_dropped_total', help: 'Syslog UDP datagrams dropped: queue_full (INGEST_MAX_QUEUE reached) or socket_buffer (the kernel receive buffer overflowed)', labelNames: ['reason'] as const, registers: [registry], collect: () => scrapeSync.forEach((f) => f()) }),
    syslogTcpPaused: new Gauge({ name: 'hybridwatch_syslog_tcp_paused_connections', help: 'Syslog TCP connections not being read right now because the ingest queue is full (back-pressure)', registers: [registry] }),
    syslogTcpPauses: new Counter({ name: 'hybridwatch_syslog_tcp_pauses_total', help: 'Times a syslog TCP connection was paused for back-pressure', registers: [registry] }),
    syslogConnectionsRefused: new Counter({ name: 'hybridwatch_syslog_connections_refused_total', help: 'Syslog TCP connections refused at accept (SYSLOG_TCP_MAX_CONNECTIONS open already)', registers: [registry] }),
    ingestRefused: new Counter({ name: 'hybridwatch_ingest_refused_total', help: 'HTTP ingest requests refused whole with 429 (nothing taken): pipeline_full (the batch would not fit in INGEST_MAX_QUEUE) or in_flight (INGEST_MAX_IN_FLIGHT requests already)', labelNames: ['route', 'reason'] as const, registers: [registry] }),
    ingestQueue: new Gauge({ name: 'hybridwatch_ingest_queue', help: 'On-premises messages parsed and waiting for the ledger', registers: [registry] }),
    // Cloud App Security source (issue 4).
    mcasRequests: new Counter({ name: 'hybridwatch_mcas_requests_total', help: 'Cloud App Security API requests by operation and HTTP status', labelNames: ['op', 'status'] as const, registers: [registry] }),
    mcasThrottled: new Counter({ name: 'hybridwatch_mcas_throttled_total', help: 'Cloud App Security HTTP 429 answers', registers: [registry] }),
    mcasErrors: new Counter({ name: 'hybridwatch_mcas_errors_total', help: 'Cloud App Security errors by kind (network, auth, server, rejected, poll)', labelNames: ['kind'] as const, registers: [registry] }),
    mcasAlerts: new Counter({ name: 'hybridwatch_mcas_alerts_total', help: 'Cloud App Security alert objects by path (poll, push) and outcome', labelNames: ['path', 'outcome'] as const, registers: [registry] }),
    // Defender XDR through Microsoft Graph (issue 12).
    graphRequests: new Counter({ name: 'hybridwatch_graph_security_requests_total', help: 'Microsoft Graph security API requests by operation and HTTP status', labelNames: ['op', 'status'] as const, registers: [registry] }),
    graphThrottled: new Counter({ name: 'hybridwatch_graph_security_throttled_total', help: 'Microsoft Graph HTTP 429 answers (every security call of the instance waits)', registers: [registry] }),
    graphErrors: new Counter({ name: 'hybridwatch_graph_security_errors_total', help: 'Microsoft Graph security API errors by kind', labelNames: ['kind'] as const, registers: [registry] }),
    graphAlerts: new Counter({ name: 'hybridwatch_graph_alerts_total', help: 'alerts_v2 objects read by outcome (new, merged, updated, changed, duplicate, ignored, rejected)', labelNames: ['outcome'] as const, registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
