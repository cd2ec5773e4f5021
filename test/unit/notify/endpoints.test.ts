import { describe, expect, it } from "vitest";
import { channelEndpointsFromEnv, DISCORD_ORIGIN, rebaseUrl, SLACK_ORIGIN } from "../../../src/notify/index.js";

describe("channel endpoint overrides", () => {
  it("rebases a Slack or Discord URL onto the operator's base, keeping the path", () => {
    expect(rebaseUrl("https://hooks.slack.com/services/T/B/x", SLACK_ORIGIN, "http://127.0.0.1:9000/")).toBe(
      "http://127.0.0.1:9000/services/T/B/x",
    );
    expect(rebaseUrl("https://discord.com/api/webhooks/1/t", DISCORD_ORIGIN, "https://relay.example")).toBe(
      "https://relay.example/api/webhooks/1/t",
    );
  });

  it("leaves the URL alone without a base, or when it is not on the official origin", () => {
    expect(rebaseUrl("https://hooks.slack.com/services/T/B/x", SLACK_ORIGIN, undefined)).toBe(
      "https://hooks.slack.com/services/T/B/x",
    );
    expect(rebaseUrl("https://hooks.slack.com.evil.example/x", SLACK_ORIGIN, "http://127.0.0.1:1")).toBe(
      "https://hooks.slack.com.evil.example/x",
    );
  });

  it("reads the three operator variables, ignoring empty ones", () => {
    expect(
      channelEndpointsFromEnv({
        ARGUS_SLACK_BASE_URL: "http://a",
        ARGUS_DISCORD_BASE_URL: "",
        ARGUS_TELEGRAM_API_BASE_URL: "http://t",
      }),
    ).toEqual({ slackBaseUrl: "http://a", telegramApiBaseUrl: "http://t" });
    expect(channelEndpointsFromEnv({})).toEqual({});
  });
});
