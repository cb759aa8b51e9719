ALTER TABLE `files` ADD `progress_at` integer;--> statement-breakpoint
ALTER TABLE `files` ADD `recoveries` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `recovered_at` integer;