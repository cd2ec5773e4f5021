/**
 * Process plumbing shared by every role: logging (and, as they arrive, metrics, options, shutdown).
 * Nothing here knows about chains, monitors or tenants.
 */
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from "./logger.js";
