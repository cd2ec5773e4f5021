import { expect, it } from "vitest";
import * as ingest from "../../../src/ingest/index.js";

it("ingest/index.ts exports exactly its public surface", () => {
  expect(Object.keys(ingest).sort()).toMatchInlineSnapshot(`
    [
      "BlockSourceError",
      "CursorRegressionError",
      "IngestOptionsError",
      "IngestStateError",
      "LiveHeadsError",
      "ReorgTooDeepError",
      "WatcherStartedError",
      "blockWatcherSettings",
      "createBlockWatcher",
      "createEvmBlockSource",
      "createEvmLiveHeads",
      "createMemoryIngestState",
      "createStellarBlockSource",
      "liveHeadUrls",
      "resolveWebSocket",
    ]
  `);
});
