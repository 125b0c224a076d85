"""Applies migrations/*.sql in name order, each once, recording them in python_app_migrations.

The platform runs it (appMigrateCommand `python3 migrate.py`) once per release, in a one-off container
of the new image with the app's environment, before any host switches: the release still serving
reads the same tables, so a migration must keep it working (expand now, contract a release later).
A second run applies nothing. Exit 1, naming the file, when one fails; the files after it wait.
MySQL commits each schema change at once, so a file that fails part-way runs whole again next
time: one statement per file, or statements that can run twice (IF NOT EXISTS).
"""

import os
import pathlib
import sys
from contextlib import closing

from pymysql.constants import CLIENT

import db

MIGRATIONS_DIR = pathlib.Path(__file__).resolve().parent / "migrations"
# Two runs at once (a retried step while the first still runs) take turns.
LOCK_NAME = "python-app-migrate"
LOCK_WAIT_SECONDS = 60


class MigrationError(Exception):
    """A migration failed or could not start; the message says which and why."""


def log(message, stream=sys.stdout):
    print(f"migrate: {message}", file=stream, flush=True)


def apply_pending(cursor):
    cursor.execute("CREATE TABLE IF NOT EXISTS python_app_migrations ("
                   " name VARCHAR(255) NOT NULL PRIMARY KEY,"
                   " applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))")
    cursor.execute("SELECT GET_LOCK(%s, %s)", (LOCK_NAME, LOCK_WAIT_SECONDS))
    if cursor.fetchone()[0] != 1:
        raise MigrationError(f"another migration held the lock {LOCK_NAME!r} for {LOCK_WAIT_SECONDS} s; "
                             "run it again once that one has ended")
    cursor.execute("SELECT name FROM python_app_migrations")
    applied = {name for (name,) in cursor.fetchall()}
    pending = [path for path in sorted(MIGRATIONS_DIR.glob("*.sql")) if path.name not in applied]
    if not pending:
        log(f"nothing to apply ({len(applied)} applied before)")
    for path in pending:
        try:
            cursor.execute(path.read_text(encoding="utf-8"))
            while cursor.nextset():  # a file may hold several statements: each one's error surfaces here
                pass
        except db.Error as error:
            raise MigrationError(f"{path.name} failed: {error}") from None
        cursor.execute("INSERT INTO python_app_migrations (name) VALUES (%s)", (path.name,))
        log(f"applied {path.name}")


def main():
    try:
        database = db.Database(os.environ)
        # Several statements per file; no read limit, a large table's ALTER may take minutes.
        with closing(database.connect(client_flag=CLIENT.MULTI_STATEMENTS, read_timeout=None)) as connection, \
                connection.cursor() as cursor:
            apply_pending(cursor)
    except (db.ConfigError, db.Error, MigrationError) as error:
        log(f"failed: {error}", sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
