ALTER TABLE `files` ADD `expires_at_ms` integer;--> statement-breakpoint
CREATE INDEX `files_expiry_idx` ON `files` (`expires_at_ms`);