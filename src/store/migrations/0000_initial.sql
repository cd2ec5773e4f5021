CREATE TABLE "block_hashes" (
	"network_id" text NOT NULL,
	"block_number" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"parent_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "block_hashes_pk" PRIMARY KEY("network_id","block_number")
);
--> statement-breakpoint
CREATE TABLE "cursors" (
	"network_id" text PRIMARY KEY NOT NULL,
	"block_number" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "deliveries_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"match_id" text NOT NULL,
	"monitor_id" text NOT NULL,
	"trigger_id" text NOT NULL,
	"trigger_key" text NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"suppressed_reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"attempt_base" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deliveries_seq_unique" UNIQUE("seq"),
	CONSTRAINT "deliveries_tenant_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "deliveries_status_check" CHECK ("deliveries"."status" in ('pending', 'in_flight', 'delivered', 'dead', 'suppressed')),
	CONSTRAINT "deliveries_channel_check" CHECK ("deliveries"."channel" in ('slack', 'discord', 'telegram', 'webhook', 'email', 'script')),
	CONSTRAINT "deliveries_suppressed_reason_check" CHECK (("deliveries"."status" = 'suppressed') = ("deliveries"."suppressed_reason" is not null) and ("deliveries"."suppressed_reason" is null or "deliveries"."suppressed_reason" in ('orphaned', 'throttle_cooldown', 'throttle_threshold'))),
	CONSTRAINT "deliveries_lease_check" CHECK ("deliveries"."status" <> 'in_flight' or ("deliveries"."lease_owner" is not null and "deliveries"."lease_until" is not null)),
	CONSTRAINT "deliveries_delivered_check" CHECK ("deliveries"."status" <> 'delivered' or "deliveries"."delivered_at" is not null),
	CONSTRAINT "deliveries_attempts_check" CHECK ("deliveries"."max_attempts" >= 1 and "deliveries"."attempts" >= 0 and "deliveries"."attempt_base" >= 0 and "deliveries"."attempt_base" <= "deliveries"."attempts")
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "delivery_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"delivery_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"lease_owner" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"latency_ms" integer,
	"response_code" integer,
	"outcome" text DEFAULT 'in_flight' NOT NULL,
	"error" text,
	"retry_after_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "delivery_attempts_attempt_unique" UNIQUE("delivery_id","attempt"),
	CONSTRAINT "delivery_attempts_outcome_check" CHECK ("delivery_attempts"."outcome" in ('in_flight', 'delivered', 'retryable_failure', 'permanent_failure', 'lease_expired')),
	CONSTRAINT "delivery_attempts_attempt_check" CHECK ("delivery_attempts"."attempt" >= 1)
);
--> statement-breakpoint
CREATE TABLE "matches" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "matches_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"monitor_id" text NOT NULL,
	"monitor_version" integer NOT NULL,
	"network_id" text NOT NULL,
	"block_number" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"tx_hash" text,
	"tx_index" integer NOT NULL,
	"payload" json NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"orphaned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "matches_seq_unique" UNIQUE("seq"),
	CONSTRAINT "matches_tenant_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "matches_status_check" CHECK ("matches"."status" in ('active', 'orphaned')),
	CONSTRAINT "matches_tx_index_check" CHECK ("matches"."tx_index" >= 0)
);
--> statement-breakpoint
CREATE TABLE "monitor_versions" (
	"tenant_id" text NOT NULL,
	"monitor_id" text NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"config" json NOT NULL,
	"throttle" jsonb,
	"paused" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monitor_versions_pk" PRIMARY KEY("monitor_id","version"),
	CONSTRAINT "monitor_versions_tenant_unique" UNIQUE("tenant_id","monitor_id","version")
);
--> statement-breakpoint
CREATE TABLE "monitors" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"config" json NOT NULL,
	"throttle" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "monitors_tenant_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "monitors_version_check" CHECK ("monitors"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "networks" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"tenant_id" text,
	"slug" text NOT NULL,
	"network_type" text NOT NULL,
	"config" json NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "networks_version_check" CHECK ("networks"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"plan" text DEFAULT 'free' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "tenants_slug_unique" UNIQUE("slug"),
	CONSTRAINT "tenants_status_check" CHECK ("tenants"."status" in ('active', 'suspended'))
);
--> statement-breakpoint
CREATE TABLE "throttle_state" (
	"tenant_id" text NOT NULL,
	"monitor_id" text NOT NULL,
	"last_notified_at" timestamp with time zone,
	"window_started_at" timestamp with time zone,
	"window_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "throttle_state_pk" PRIMARY KEY("tenant_id","monitor_id")
);
--> statement-breakpoint
CREATE TABLE "trigger_versions" (
	"tenant_id" text NOT NULL,
	"trigger_id" text NOT NULL,
	"version" integer NOT NULL,
	"key" text NOT NULL,
	"trigger_type" text NOT NULL,
	"config" json NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trigger_versions_pk" PRIMARY KEY("trigger_id","version")
);
--> statement-breakpoint
CREATE TABLE "triggers" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"tenant_id" text NOT NULL,
	"key" text NOT NULL,
	"trigger_type" text NOT NULL,
	"config" json NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "triggers_tenant_id_unique" UNIQUE("tenant_id","id"),
	CONSTRAINT "triggers_version_check" CHECK ("triggers"."version" >= 1)
);
--> statement-breakpoint
ALTER TABLE "block_hashes" ADD CONSTRAINT "block_hashes_network_id_networks_id_fk" FOREIGN KEY ("network_id") REFERENCES "public"."networks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cursors" ADD CONSTRAINT "cursors_network_id_networks_id_fk" FOREIGN KEY ("network_id") REFERENCES "public"."networks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_match_fk" FOREIGN KEY ("tenant_id","match_id") REFERENCES "public"."matches"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_trigger_fk" FOREIGN KEY ("tenant_id","trigger_id") REFERENCES "public"."triggers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_fk" FOREIGN KEY ("tenant_id","delivery_id") REFERENCES "public"."deliveries"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matches" ADD CONSTRAINT "matches_network_id_networks_id_fk" FOREIGN KEY ("network_id") REFERENCES "public"."networks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matches" ADD CONSTRAINT "matches_monitor_fk" FOREIGN KEY ("tenant_id","monitor_id") REFERENCES "public"."monitors"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matches" ADD CONSTRAINT "matches_monitor_version_fk" FOREIGN KEY ("tenant_id","monitor_id","monitor_version") REFERENCES "public"."monitor_versions"("tenant_id","monitor_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_versions" ADD CONSTRAINT "monitor_versions_monitor_fk" FOREIGN KEY ("tenant_id","monitor_id") REFERENCES "public"."monitors"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitors" ADD CONSTRAINT "monitors_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "networks" ADD CONSTRAINT "networks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "throttle_state" ADD CONSTRAINT "throttle_state_monitor_fk" FOREIGN KEY ("tenant_id","monitor_id") REFERENCES "public"."monitors"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trigger_versions" ADD CONSTRAINT "trigger_versions_trigger_fk" FOREIGN KEY ("tenant_id","trigger_id") REFERENCES "public"."triggers"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triggers" ADD CONSTRAINT "triggers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deliveries_pending_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE "deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "deliveries_lease_idx" ON "deliveries" USING btree ("lease_until") WHERE "deliveries"."status" = 'in_flight';--> statement-breakpoint
CREATE INDEX "deliveries_match_idx" ON "deliveries" USING btree ("match_id");--> statement-breakpoint
CREATE INDEX "deliveries_tenant_seq_idx" ON "deliveries" USING btree ("tenant_id","seq");--> statement-breakpoint
CREATE INDEX "delivery_attempts_tenant_idx" ON "delivery_attempts" USING btree ("tenant_id","delivery_id");--> statement-breakpoint
CREATE INDEX "matches_network_block_idx" ON "matches" USING btree ("network_id","block_number");--> statement-breakpoint
CREATE INDEX "matches_tenant_seq_idx" ON "matches" USING btree ("tenant_id","seq");--> statement-breakpoint
CREATE INDEX "matches_tenant_monitor_seq_idx" ON "matches" USING btree ("tenant_id","monitor_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "monitors_tenant_name_unique" ON "monitors" USING btree ("tenant_id","name") WHERE "monitors"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "networks_platform_slug_unique" ON "networks" USING btree ("slug") WHERE "networks"."tenant_id" is null and "networks"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "networks_tenant_slug_unique" ON "networks" USING btree ("tenant_id","slug") WHERE "networks"."tenant_id" is not null and "networks"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "triggers_tenant_key_unique" ON "triggers" USING btree ("tenant_id","key") WHERE "triggers"."deleted_at" is null;