-- When a tenant's status last changed: a reactivated tenant's monitors match only blocks from then on.
-- No grant to add: `argus_tenant` reads every column of its own tenant row (table-level SELECT, 0002) and may update
-- only `name` and `updated_at`, so a tenant never sets when its own status changed.
ALTER TABLE "tenants" ADD COLUMN "status_changed_at" timestamp with time zone;
