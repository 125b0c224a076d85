"""The database: how to reach it from the DB_* variables the platform sets, and what the app asks it."""

import base64
import binascii
import ssl
from contextlib import closing

import pymysql

# Every network step (connect, TLS handshake, each read and write) gives up after this long, so a
# database that is down or unreachable costs a request about 2 s, never a hang.
TIMEOUT_SECONDS = 2

# What a failed database call raises: pymysql wraps socket and TLS failures in its own errors.
Error = pymysql.MySQLError


class ConfigError(Exception):
    """A DB_* variable is missing or unusable; the message names it and says what to do."""


def secret(env, name):
    """A secret from the file <name>_FILE names (how ha-web hands secrets over), else from <name> itself (elsewhere)."""
    path = env.get(f"{name}_FILE")
    if not path:
        return env.get(name)
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError as error:
        raise ConfigError(f"{name}_FILE {path} cannot be read ({error.strerror})") from error


class Database:
    """One connection per call: no pool to go stale, so the app recovers by itself when the database is back."""

    def __init__(self, env):
        password = secret(env, "DB_PASSWORD")
        missing = [name for name in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_TLS_CA_BASE64") if not env.get(name)]
        missing += [] if password else ["DB_PASSWORD (or DB_PASSWORD_FILE)"]
        if missing:
            raise ConfigError(f"{', '.join(missing)} not set: "
                              "ha-web sets every DB_* variable; set them yourself to run the app elsewhere")
        if not env["DB_PORT"].isascii() or not env["DB_PORT"].isdigit():
            raise ConfigError(f"DB_PORT must be a port number, got {env['DB_PORT']!r}")
        self._connect_args = {
            "host": env["DB_HOST"],
            "port": int(env["DB_PORT"]),
            "database": env["DB_NAME"],
            "user": env["DB_USER"],
            "password": password,
            "ssl": tls_context(env["DB_TLS_CA_BASE64"]),
            "charset": "utf8mb4",
            "autocommit": True,
            "connect_timeout": TIMEOUT_SECONDS,
            "read_timeout": TIMEOUT_SECONDS,
            "write_timeout": TIMEOUT_SECONDS,
        }

    def connect(self, **overrides):
        return pymysql.connect(**{**self._connect_args, **overrides})

    def check(self):
        """Raises Error unless the database answers."""
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    def add_visit(self, note):
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            cursor.execute("INSERT INTO visits (note) VALUES (%s)", (note,))
            return cursor.lastrowid

    def find_visit(self, visit_id):
        """The visit as a dict, or None."""
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT id, note FROM visits WHERE id = %s", (visit_id,))
            row = cursor.fetchone()
            return None if row is None else {"id": row[0], "note": row[1]}


def tls_context(ca_base64):
    """Verified TLS: the server's certificate must chain to this CA and name DB_HOST (check_hostname)."""
    try:
        return ssl.create_default_context(cadata=base64.b64decode(ca_base64).decode("ascii"))
    except (binascii.Error, UnicodeDecodeError, ssl.SSLError, ValueError) as error:
        raise ConfigError("DB_TLS_CA_BASE64 must be a base64-encoded PEM certificate of the database server's CA "
                          f"({error.__class__.__name__}); the platform sets it from the CA bundle it fetched") from None
