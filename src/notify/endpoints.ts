/**
 * Operator overrides of the chat services' public endpoints. OZ validation pins Slack and Discord URLs to their
 * official origins and Telegram has a fixed Bot API host, so a self-hosted relay (an egress proxy, a compatible
 * service) or a loopback test receiver can only be reached by rebasing the URL at send time. Tenants cannot set these.
 */
import type { DeliverOptions } from "./types.js";

export const SLACK_ORIGIN = "https://hooks.slack.com";
export const DISCORD_ORIGIN = "https://discord.com";

export type ChannelEndpoints = Pick<DeliverOptions, "slackBaseUrl" | "discordBaseUrl" | "telegramApiBaseUrl">;

/**
 * Replaces `origin` at the start of `url` with `base` (`https://hooks.slack.com/services/T/B/X` with base
 * `http://127.0.0.1:9000` → `http://127.0.0.1:9000/services/T/B/X`). URLs elsewhere, or no base, are unchanged.
 */
export function rebaseUrl(url: string, origin: string, base: string | undefined): string {
  if (base === undefined || base === "" || !url.startsWith(`${origin}/`)) return url;
  return `${base.replace(/\/+$/, "")}${url.slice(origin.length)}`;
}

/**
 * The overrides from the operator's environment: `ARGUS_SLACK_BASE_URL`, `ARGUS_DISCORD_BASE_URL` and
 * `ARGUS_TELEGRAM_API_BASE_URL` (each an origin such as `http://127.0.0.1:9000`). Unset or empty: the official hosts.
 */
export function channelEndpointsFromEnv(env: Readonly<Record<string, string | undefined>>): ChannelEndpoints {
  const endpoints: ChannelEndpoints = {};
  if (env.ARGUS_SLACK_BASE_URL) endpoints.slackBaseUrl = env.ARGUS_SLACK_BASE_URL;
  if (env.ARGUS_DISCORD_BASE_URL) endpoints.discordBaseUrl = env.ARGUS_DISCORD_BASE_URL;
  if (env.ARGUS_TELEGRAM_API_BASE_URL) endpoints.telegramApiBaseUrl = env.ARGUS_TELEGRAM_API_BASE_URL;
  return endpoints;
}
