-- The lexical index: FTS5 over chunk text, heading path and file name, kept in sync with
-- `chunks` by triggers (external content, so the text is stored once). Porter stemming over
-- unicode61, diacritics folded, so "reading" matches "read" and "café" matches "cafe".
CREATE VIRTUAL TABLE `chunks_fts` USING fts5(
	`text`, `heading`, `filename`,
	content='chunks', content_rowid='rowid',
	tokenize='porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_insert` AFTER INSERT ON `chunks` BEGIN
	INSERT INTO `chunks_fts`(rowid, `text`, `heading`, `filename`) VALUES (new.rowid, new.`text`, new.`heading`, new.`filename`);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_delete` AFTER DELETE ON `chunks` BEGIN
	INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `text`, `heading`, `filename`) VALUES ('delete', old.rowid, old.`text`, old.`heading`, old.`filename`);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_update` AFTER UPDATE ON `chunks` BEGIN
	INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `text`, `heading`, `filename`) VALUES ('delete', old.rowid, old.`text`, old.`heading`, old.`filename`);
	INSERT INTO `chunks_fts`(rowid, `text`, `heading`, `filename`) VALUES (new.rowid, new.`text`, new.`heading`, new.`filename`);
END;
