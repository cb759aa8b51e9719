CREATE TABLE `vector_stamps` (
	`namespace` text PRIMARY KEY NOT NULL,
	`version` text NOT NULL
);
