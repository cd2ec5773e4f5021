CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"scopes" jsonb NOT NULL,
	"role" text NOT NULL,
	"created_by" text,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "api_keys_prefix_unique" UNIQUE("prefix"),
	CONSTRAINT "api_keys_tenant_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "api_keys_role_check" CHECK ("api_keys"."role" in ('owner', 'admin', 'member', 'viewer'))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" text DEFAULT gen_random_uuid()::text NOT NULL,
	"tenant_id" text,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text,
	"before" jsonb,
	"after" jsonb,
	"ip" text,
	"user_agent" text,
	"request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_log_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "memberships_tenant_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "memberships_role_check" CHECK ("memberships"."role" in ('owner', 'admin', 'member', 'viewer'))
);
--> statement-breakpoint
CREATE TABLE "refresh_tokens" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"session_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refresh_tokens_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"user_id" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trigger_script_versions" (
	"tenant_id" text NOT NULL,
	"script_id" text NOT NULL,
	"version" integer NOT NULL,
	"path" text NOT NULL,
	"language" text NOT NULL,
	"content" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trigger_script_versions_pk" PRIMARY KEY("script_id","version")
);
--> statement-breakpoint
CREATE TABLE "trigger_scripts" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"tenant_id" text NOT NULL,
	"path" text NOT NULL,
	"language" text NOT NULL,
	"content" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "trigger_scripts_tenant_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "trigger_scripts_version_check" CHECK ("trigger_scripts"."version" >= 1),
	CONSTRAINT "trigger_scripts_language_check" CHECK ("trigger_scripts"."language" in ('Python', 'JavaScript', 'Bash'))
);
--> statement-breakpoint
CREATE TABLE "usage_counters" (
	"tenant_id" text NOT NULL,
	"metric" text NOT NULL,
	"period" text NOT NULL,
	"value" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_counters_pk" PRIMARY KEY("tenant_id","metric","period"),
	CONSTRAINT "usage_counters_value_check" CHECK ("usage_counters"."value" >= 0)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"display_name" text,
	"platform_role" text,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "users_platform_role_check" CHECK ("users"."platform_role" is null or "users"."platform_role" in ('operator'))
);
--> statement-breakpoint
ALTER TABLE "monitors" ADD COLUMN "source_file" text;--> statement-breakpoint
ALTER TABLE "networks" ADD COLUMN "source_file" text;--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "source_file" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trigger_script_versions" ADD CONSTRAINT "trigger_script_versions_script_fk" FOREIGN KEY ("tenant_id","script_id") REFERENCES "public"."trigger_scripts"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trigger_scripts" ADD CONSTRAINT "trigger_scripts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_counters" ADD CONSTRAINT "usage_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_tenant_idx" ON "api_keys" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_tenant_seq_idx" ON "audit_log" USING btree ("tenant_id","seq");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_tenant_user_unique" ON "memberships" USING btree ("tenant_id","user_id") WHERE "memberships"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "memberships_user_idx" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "refresh_tokens_session_idx" ON "refresh_tokens" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "trigger_scripts_tenant_path_unique" ON "trigger_scripts" USING btree ("tenant_id","path") WHERE "trigger_scripts"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_unique" ON "users" USING btree ("email") WHERE "users"."deleted_at" is null;--> statement-breakpoint
-- ─── Hand-written: row-level security, the second wall between tenants ───────────────────────────────────────
-- Repositories scope every query by tenant in code; `withTenant()` (src/store/scope.ts) additionally runs a
-- transaction as the NOLOGIN role `argus_tenant` with `argus.tenant_id` set, and these policies then hide and refuse
-- every other tenant's rows, even when the application connects as a superuser or as the tables' owner.
-- Roles are cluster-wide: several databases (and concurrent migrators) may race to create it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'argus_tenant') THEN
    BEGIN
      CREATE ROLE argus_tenant NOLOGIN NOSUPERUSER NOINHERIT NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END $$;
--> statement-breakpoint
-- The connecting user must be able to `SET ROLE argus_tenant` (superusers always can).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'argus_tenant', 'MEMBER') THEN
    EXECUTE format('GRANT argus_tenant TO %I', current_user);
  END IF;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO argus_tenant;
--> statement-breakpoint
-- Every tenant-owned table with a `tenant_id NOT NULL`: full DML for the tenant role, own rows only. A second,
-- permissive policy lets every other role (the platform: ingest, dispatch, runtime) through, so FORCE ROW LEVEL
-- SECURITY does not lock out an application that owns the tables.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['monitors', 'monitor_versions', 'triggers', 'trigger_versions', 'matches', 'deliveries',
    'delivery_attempts', 'throttle_state', 'memberships', 'api_keys', 'usage_counters', 'trigger_scripts',
    'trigger_script_versions']
  LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO argus_tenant', t);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY argus_platform ON %I USING (current_user <> ''argus_tenant'') WITH CHECK (current_user <> ''argus_tenant'')', t);
    EXECUTE format('CREATE POLICY argus_tenant_isolation ON %I TO argus_tenant USING (tenant_id = current_setting(''argus.tenant_id'', true)) WITH CHECK (tenant_id = current_setting(''argus.tenant_id'', true))', t);
  END LOOP;
END $$;
--> statement-breakpoint
-- Identity columns the tenant role may insert into (matches, deliveries, attempts, audit rows).
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO argus_tenant;
--> statement-breakpoint
-- Networks: a tenant reads the platform's networks (`tenant_id IS NULL`) and its own, and changes only its own.
GRANT SELECT, INSERT, UPDATE, DELETE ON networks TO argus_tenant;
--> statement-breakpoint
ALTER TABLE networks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE networks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY argus_platform ON networks USING (current_user <> 'argus_tenant') WITH CHECK (current_user <> 'argus_tenant');
--> statement-breakpoint
CREATE POLICY argus_tenant_read ON networks FOR SELECT TO argus_tenant
  USING (tenant_id IS NULL OR tenant_id = current_setting('argus.tenant_id', true));
--> statement-breakpoint
CREATE POLICY argus_tenant_insert ON networks FOR INSERT TO argus_tenant
  WITH CHECK (tenant_id = current_setting('argus.tenant_id', true));
--> statement-breakpoint
CREATE POLICY argus_tenant_update ON networks FOR UPDATE TO argus_tenant
  USING (tenant_id = current_setting('argus.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('argus.tenant_id', true));
--> statement-breakpoint
CREATE POLICY argus_tenant_delete ON networks FOR DELETE TO argus_tenant
  USING (tenant_id = current_setting('argus.tenant_id', true));
--> statement-breakpoint
-- Audit: append-only for tenants (read and insert their own rows; no update, no delete).
GRANT SELECT, INSERT ON audit_log TO argus_tenant;
--> statement-breakpoint
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY argus_platform ON audit_log USING (current_user <> 'argus_tenant') WITH CHECK (current_user <> 'argus_tenant');
--> statement-breakpoint
CREATE POLICY argus_tenant_isolation ON audit_log TO argus_tenant
  USING (tenant_id = current_setting('argus.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('argus.tenant_id', true));
--> statement-breakpoint
-- Tenants: a tenant sees its own row and may lock it (`quotas.reserve` takes `FOR UPDATE`, which needs an UPDATE
-- privilege); it can change only its name, never its plan, limits or status.
GRANT SELECT, UPDATE (name, updated_at) ON tenants TO argus_tenant;
--> statement-breakpoint
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY argus_platform ON tenants USING (current_user <> 'argus_tenant') WITH CHECK (current_user <> 'argus_tenant');
--> statement-breakpoint
CREATE POLICY argus_tenant_own ON tenants TO argus_tenant
  USING (id = current_setting('argus.tenant_id', true))
  WITH CHECK (id = current_setting('argus.tenant_id', true));
--> statement-breakpoint
-- Users: a tenant sees the members of its tenant, and never a password hash (column grant).
GRANT SELECT (id, email, display_name, created_at, updated_at, deleted_at) ON users TO argus_tenant;
--> statement-breakpoint
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY argus_platform ON users USING (current_user <> 'argus_tenant') WITH CHECK (current_user <> 'argus_tenant');
--> statement-breakpoint
CREATE POLICY argus_tenant_members ON users FOR SELECT TO argus_tenant
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id
    AND m.tenant_id = current_setting('argus.tenant_id', true) AND m.deleted_at IS NULL));
