/**
 * `notificationsPerDay` through the API: the usage endpoint shows today's notifications beside the limit, and a
 * delivery held back by the quota is listed, and can be replayed once the day's quota has room.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { matches } from "../../../src/store/index.js";
import { newMatch, seedWorld } from "../store/support.js";
import { call, describeApi, signup } from "./support.js";

describeApi("usage and the daily notification quota", (h) => {
  it("GET …/usage shows today's notifications, the limit, what was held back and the matches", async () => {
    const a = await signup(h, "notify-quota");
    await h.store.db.execute(
      sql`update tenants set limits = '{"notificationsPerDay": 2}'::jsonb where id = ${a.tenantId}`,
    );
    const world = await seedWorld(h.store, a.tenantId);
    // Two matches with two triggers each: 2 notifications fit, 2 are held back.
    const stored = await matches.insertMany(h.store, [newMatch(world, 1n), newMatch(world, 2n)]);
    expect(stored.quotaExceededDeliveryIds).toHaveLength(2);

    const base = `/api/v1/tenants/${a.slug}`;
    const usage = await call(h, "GET", `${base}/usage`, { token: a.token });
    expect(usage.status, JSON.stringify(usage.body)).toBe(200);
    expect(usage.body).toMatchObject({
      limits: { notificationsPerDay: 2 },
      today: {
        period: new Date().toISOString().slice(0, 10),
        notifications: 2,
        notificationsLimit: 2,
        notificationsQuotaExceeded: 2,
        matches: 2,
      },
    });

    const held = stored.quotaExceededDeliveryIds[0]!;
    const listed = await call(h, "GET", `${base}/deliveries?status=suppressed`, { token: a.token });
    expect(
      (listed.body.items as Array<{ id: string; suppressedReason: string }>).map((d) => d.suppressedReason),
    ).toEqual(["quota_exceeded", "quota_exceeded"]);
    // The day's quota is used up: a replay would go around it.
    const refused = await call(h, "POST", `${base}/deliveries/${held}/replay`, { token: a.token });
    expect(refused.body).toMatchObject({ status: 403, code: "API_QUOTA_EXCEEDED" });
    expect(refused.body.errors?.map((e) => e.path)).toEqual(["$.notificationsPerDay"]);
    // With room (the operator raised the limit), it goes out and counts.
    await h.store.db.execute(
      sql`update tenants set limits = '{"notificationsPerDay": 3}'::jsonb where id = ${a.tenantId}`,
    );
    const replayed = await call(h, "POST", `${base}/deliveries/${held}/replay`, { token: a.token });
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(200);
    expect(replayed.body).toMatchObject({ id: held, status: "pending", suppressedReason: null });
    const after = await call(h, "GET", `${base}/usage`, { token: a.token });
    expect(after.body).toMatchObject({ today: { notifications: 3, notificationsLimit: 3 } });
  });

  it("an unlimited tenant shows a null limit", async () => {
    const a = await signup(h, "notify-unlimited");
    await h.store.db.execute(
      sql`update tenants set limits = '{"notificationsPerDay": null}'::jsonb where id = ${a.tenantId}`,
    );
    const usage = await call(h, "GET", `/api/v1/tenants/${a.slug}/usage`, { token: a.token });
    expect(usage.body).toMatchObject({
      today: { notifications: 0, notificationsLimit: null, notificationsQuotaExceeded: 0, matches: 0 },
    });
  });
});
