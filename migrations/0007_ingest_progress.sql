ALTER TABLE `files` ADD `progress_at` integer;--> statement-breakpoint
ALTER TABLE `files` ADD `recoveries` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `recovered_at` integer;--> statement-breakpoint
CREATE INDEX `files_status_idx` ON `files` (`status`);