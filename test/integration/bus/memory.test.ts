import { createMemoryBus } from "../../../src/bus/index.js";
import { describeLogContract } from "./log-contract.js";

describeLogContract("memory", async (options = {}) =>
  createMemoryBus(options.maxMessages ? { blocks: { maxMessages: options.maxMessages } } : {}),
);
