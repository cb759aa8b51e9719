CREATE TABLE `completions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`model` text NOT NULL,
	`created` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	`request` text NOT NULL,
	`completion` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `completions_workspace_idx` ON `completions` (`org_id`,`workspace_id`,`created_at_ms`);