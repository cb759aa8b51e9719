CREATE TABLE `audit_events` (
	`org_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at_ms` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`actor_email` text,
	`action` text NOT NULL,
	`workspace_id` text,
	`target` text,
	`details` text NOT NULL,
	`prev_hash` text,
	`hash` text,
	PRIMARY KEY(`org_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `audit_events_action_idx` ON `audit_events` (`org_id`,`action`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_events_time_idx` ON `audit_events` (`at_ms`);--> statement-breakpoint
CREATE INDEX `audit_events_unsealed_idx` ON `audit_events` (`org_id`,`seq`) WHERE hash IS NULL;--> statement-breakpoint
CREATE TABLE `audit_heads` (
	`org_id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`anchor_seq` integer DEFAULT 0 NOT NULL,
	`anchor_hash` text NOT NULL
);
