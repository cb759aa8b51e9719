CREATE TABLE `chunks` (
	`id` text PRIMARY KEY NOT NULL,
	`file_id` text NOT NULL,
	`org_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`part` integer NOT NULL,
	`position` integer NOT NULL,
	`text` text NOT NULL,
	`filename` text NOT NULL,
	`heading` text,
	`page` integer,
	`sheet` text,
	`rows_from` integer,
	`rows_to` integer,
	`key_path` text,
	`start_time` real,
	`end_time` real,
	`modality` text NOT NULL,
	`char_start` integer NOT NULL,
	`char_end` integer NOT NULL,
	`token_count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `chunks_file_idx` ON `chunks` (`file_id`,`part`);--> statement-breakpoint
CREATE INDEX `chunks_workspace_idx` ON `chunks` (`org_id`,`workspace_id`);--> statement-breakpoint
CREATE TABLE `file_parts` (
	`file_id` text NOT NULL,
	`part` integer NOT NULL,
	`pages` integer NOT NULL,
	`finished_at` integer NOT NULL,
	PRIMARY KEY(`file_id`, `part`)
);
--> statement-breakpoint
CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`filename` text NOT NULL,
	`bytes` integer NOT NULL,
	`purpose` text NOT NULL,
	`kind` text NOT NULL,
	`content_type` text NOT NULL,
	`status` text NOT NULL,
	`status_details` text,
	`metadata` text DEFAULT '{}' NOT NULL,
	`instructions` text,
	`created_at` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`blob_key` text NOT NULL,
	`pages_total` integer,
	`pages_done` integer DEFAULT 0 NOT NULL,
	`parts_total` integer,
	`chunk_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `files_workspace_idx` ON `files` (`org_id`,`workspace_id`,`created_at_ms`);