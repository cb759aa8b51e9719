CREATE TABLE `vectors` (
	`id` text PRIMARY KEY NOT NULL,
	`namespace` text NOT NULL,
	`file_id` text NOT NULL,
	`purpose` text,
	`created_at` integer,
	`modality` text,
	`page` integer,
	`metadata` text DEFAULT '{}' NOT NULL,
	`dimensions` integer NOT NULL,
	`vector` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `vectors_namespace_idx` ON `vectors` (`namespace`);--> statement-breakpoint
CREATE INDEX `vectors_file_idx` ON `vectors` (`file_id`);