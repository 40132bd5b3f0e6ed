"""The benchmarks' PostgreSQL databases: a template kept between runs under a fingerprint of
what it holds (made again when that changes), copies of it, and dropping them.

A template's fingerprint is stored as the database's comment, written last, so a template
whose set-up was interrupted has none and is made again.
"""

import hashlib
import os
from importlib import metadata

from bench.lessons import REPO_DIR, manage

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def postgres_admin():
    import psycopg

    return psycopg.connect(f"{POSTGRES}/postgres", autocommit=True)


def migrations_fingerprint() -> str:
    """What decides the migrated schema: the project's migration files and the versions of
    the installed packages (Django's, Wagtail's and the other apps' migrations)."""
    digest = hashlib.sha256()
    for top in sorted(REPO_DIR.iterdir()):
        if top.is_dir() and not top.name.startswith(".") and top.name not in {"var", "bench"}:
            for path in sorted(top.rglob("migrations/*.py")):
                digest.update(str(path.relative_to(REPO_DIR)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    for line in sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def comment(connection, name: str) -> str | None:
    """The database's comment (a fingerprint), None without the database or a comment."""
    row = connection.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    return None if row is None else row[0]


def comment_set(connection, name: str, text: str) -> None:
    from psycopg import sql

    connection.execute(
        sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(text))
    )


def template_ensure(template: str, fingerprint: str, env: dict[str, str], steps) -> bool:
    """``template`` holding what ``fingerprint`` names; made again (each of ``steps``, the
    arguments of a ``manage.py`` command) when it does not. Returns True when reused."""
    from psycopg import sql

    with postgres_admin() as connection:
        if comment(connection, template) == fingerprint:
            print(f"  {template}: reused (same fingerprint)", flush=True)
            return True
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(template))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
    template_env = {**env, "DATABASE_URL": f"{POSTGRES}/{template}"}
    for step in steps:
        manage(*step, env=template_env)
    with postgres_admin() as connection:
        comment_set(connection, template, fingerprint)
    return False


def database_copy(database: str, template: str) -> None:
    """A new ``database``, a copy of ``template`` (an old one is dropped first)."""
    from psycopg import sql

    database_drop(database)
    with postgres_admin() as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(database), sql.Identifier(template)
            )
        )


def database_drop(database: str) -> None:
    from psycopg import sql

    with postgres_admin() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
