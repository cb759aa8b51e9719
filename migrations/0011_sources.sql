CREATE TABLE `source_objects` (
	`source_id` text NOT NULL,
	`key` text NOT NULL,
	`version` text,
	`validators` text,
	`file_id` text,
	`state` text NOT NULL,
	`seen_sync` text NOT NULL,
	`depth` integer DEFAULT 0 NOT NULL,
	`note` text,
	PRIMARY KEY(`source_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `source_objects_sync_idx` ON `source_objects` (`source_id`,`seen_sync`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`settings` text NOT NULL,
	`sealed_secret` text,
	`metadata` text DEFAULT '{}' NOT NULL,
	`instructions` text,
	`sync_every_minutes` integer,
	`status` text NOT NULL,
	`status_details` text,
	`sync_id` text,
	`sync_cursor` text,
	`sync_started_at` integer,
	`sync_progress_at` integer,
	`last_synced_at` integer,
	`next_sync_at` integer,
	`added` integer DEFAULT 0 NOT NULL,
	`updated` integer DEFAULT 0 NOT NULL,
	`removed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`unchanged` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_name_idx` ON `sources` (`org_id`,`workspace_id`,`name`);--> statement-breakpoint
CREATE INDEX `sources_next_sync_idx` ON `sources` (`next_sync_at`);--> statement-breakpoint
ALTER TABLE `files` ADD `source_id` text;--> statement-breakpoint
CREATE INDEX `files_source_idx` ON `files` (`source_id`);