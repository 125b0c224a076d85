-- Release 1: the table POST /api/visits writes to. A later migration may add to it (expand);
-- dropping or renaming what the running release reads waits until no release reads it (contract).
CREATE TABLE IF NOT EXISTS visits (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    note VARCHAR(1024) NOT NULL,
    created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
