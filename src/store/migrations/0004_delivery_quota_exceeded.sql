-- A new reason a delivery is suppressed: the tenant's notificationsPerDay was used up (matches.insertMany).
-- No grant or policy to change: the table, its row-level security and argus_tenant's privileges stay as 0002 made them.
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_suppressed_reason_check";--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_suppressed_reason_check" CHECK (("deliveries"."status" = 'suppressed') = ("deliveries"."suppressed_reason" is not null) and ("deliveries"."suppressed_reason" is null or "deliveries"."suppressed_reason" in ('orphaned', 'throttle_cooldown', 'throttle_threshold', 'quota_exceeded')));
