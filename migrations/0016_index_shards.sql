ALTER TABLE `workspaces` ADD `index_shards` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `index_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `index_next_shards` integer;--> statement-breakpoint
ALTER TABLE `file_parts` ADD `chunks` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Parts stored before this migration: count what they wrote, so a file still being ingested sums right.
UPDATE `file_parts` SET `chunks` = (SELECT count(*) FROM `chunks` c WHERE c.`file_id` = `file_parts`.`file_id` AND c.`part` = `file_parts`.`part`);
