/**
 * OZ Monitor v1.6.0-compatible configuration: zod schemas for network, monitor and trigger files, secret
 * resolution, semantic and cross-file validation, and the directory loader. Problems are values
 * (`ConfigProblem`, printed with `formatProblem`), collected across all files rather than stopping at the first.
 *
 * Imports `expr` (expression syntax checks); performs file I/O only in the loader and script checks.
 *
 * @example
 * import { formatProblem, hasErrors, loadConfigDir } from "../config/index.js";
 * const loaded = await loadConfigDir("config");
 * for (const p of loaded.problems) console.error(formatProblem(p));
 * if (hasErrors(loaded.problems)) process.exitCode = 1;
 */
export { type CronParseResult, type CronSchedule, cronIntervalMs, nextFiring, nextFirings, parseCron } from "./cron.js";
export {
  ConfigCode,
  ConfigError,
  type ConfigProblem,
  type ConfigSeverity,
  formatProblem,
  hasErrors,
} from "./errors.js";
export { type JsonParseResult, parseJsonText } from "./json.js";
export { type LoadedConfig, type LoadedMonitor, type LoadOptions, loadConfigDir, loadMonitorFile } from "./load.js";
export {
  type AddressWithSpec,
  AddressWithSpecSchema,
  type ChainConfiguration,
  ChainConfigurationSchema,
  type ContractSpec,
  ContractSpecSchema,
  type EventCondition,
  EventConditionSchema,
  type FunctionCondition,
  FunctionConditionSchema,
  isValidSignature,
  type MatchConditions,
  MatchConditionsSchema,
  type Monitor,
  type MonitorInput,
  type MonitorParseOptions,
  MonitorSchema,
  parseMonitor,
  TRANSACTION_STATUSES,
  type TransactionCondition,
  TransactionConditionSchema,
  type TransactionStatus,
  TransactionStatusSchema,
  type TriggerCondition,
  TriggerConditionSchema,
  type TriggerKeys,
} from "./monitor.js";
export {
  type BlockRecoveryConfig,
  BlockRecoveryConfigSchema,
  type MaxPastBlocks,
  MaxPastBlocksSchema,
  NETWORK_TYPES,
  type Network,
  type NetworkInput,
  NetworkSchema,
  type NetworkType,
  NetworkTypeSchema,
  parseNetwork,
  type RpcUrl,
  RpcUrlSchema,
  recommendedPastBlocks,
} from "./network.js";
export type { ParseOptions, ParseResult } from "./result.js";
export {
  resolveScriptPath,
  SCRIPT_EXTENSIONS,
  SCRIPT_LANGUAGES,
  type ScriptLanguage,
  ScriptLanguageSchema,
  scriptCandidates,
} from "./scripts.js";
export {
  resolveSecret,
  SECRET_TYPES,
  type SecretEnv,
  type SecretType,
  type SecretValue,
  SecretValueSchema,
  secretSource,
} from "./secret.js";
export {
  type DiscordConfig,
  DiscordConfigSchema,
  type Duration,
  DurationSchema,
  defaultRetryPolicy,
  type EmailConfig,
  EmailConfigSchema,
  type Jitter,
  type NotificationMessage,
  NotificationMessageSchema,
  type PayloadMode,
  parseTrigger,
  parseTriggerFile,
  type RetryPolicy,
  RetryPolicySchema,
  type ScriptConfig,
  ScriptConfigSchema,
  type SlackConfig,
  SlackConfigSchema,
  type TelegramConfig,
  TelegramConfigSchema,
  TRIGGER_TYPES,
  type Trigger,
  type TriggerFile,
  TriggerFileSchema,
  type TriggerInput,
  TriggerSchema,
  type TriggerType,
  TriggerTypeSchema,
  type WebhookConfig,
  WebhookConfigSchema,
} from "./trigger.js";
