CREATE TABLE `vision_pages` (
	`file_id` text NOT NULL,
	`page` integer NOT NULL,
	`claimed_at` integer NOT NULL,
	PRIMARY KEY(`file_id`, `page`)
);
--> statement-breakpoint
ALTER TABLE `file_parts` ADD `pages_rendered` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `file_parts` ADD `pages_seen` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `file_parts` ADD `pages_skipped` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `file_parts` ADD `scans_unread` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `pages_rendered` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `pages_seen` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `pages_skipped` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `page_budget` integer;--> statement-breakpoint
ALTER TABLE `files` ADD `perception_prompt_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `perception_completion_tokens` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `perception_audio_seconds` real DEFAULT 0 NOT NULL;