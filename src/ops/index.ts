/**
 * Process plumbing shared by every role: logging, metrics, the health/metrics HTTP endpoint and shutdown.
 * Nothing here knows about chains, monitors or tenants.
 */
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from "./logger.js";
export { createMetrics, type Metrics } from "./metrics.js";
export { type OpsServer, type OpsServerOptions, startOpsServer } from "./server.js";
export { createShutdown, type Shutdown } from "./shutdown.js";
