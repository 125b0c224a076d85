-- The notes behind POST /api/notes and GET /api/notes/<id> (app/src/notes.ts).
-- Expand only: a new table, which the release before this one never reads, so it keeps serving
-- while this runs and after. IF NOT EXISTS: DDL commits on its own, so if a run dies between this
-- statement and recording it in schema_migrations, the next run repeats it harmlessly.
-- body is VARBINARY: bytes, not text, so a note that is not valid UTF-8 reads back unchanged.
CREATE TABLE IF NOT EXISTS notes (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    body VARBINARY(1024) NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB;
