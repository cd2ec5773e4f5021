-- The built-in tenant of single-tenant (embedded) mode: `argus start` without tenancy runs everything as this tenant.
-- Its id is DEFAULT_TENANT_ID in src/store/schema.ts.
INSERT INTO "tenants" ("id", "slug", "name", "plan", "status", "limits")
VALUES ('00000000-0000-0000-0000-000000000000', 'default', 'Default', 'self-hosted', 'active', '{}'::jsonb)
ON CONFLICT ("id") DO NOTHING;
