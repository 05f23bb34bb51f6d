"""Deleted means gone from the database files, not only from query results.

SQLite leaves a deleted row's bytes in the database's free space, and the write-ahead
log (-wal) keeps the pages as they were before the delete until a checkpoint copies
them back and the log is reused, hundreds of turns later. With `secure_delete` on,
SQLite overwrites what a delete frees with zeros; a checkpoint with TRUNCATE right after
an erasure writes those zeroed pages into the database and empties the -wal file.

PostgreSQL keeps a deleted row in the table file until VACUUM removes it: an erasure
vacuums the tables it touched. Its WAL segments (and any WAL archive or backup) keep
copies until they are recycled or expire: README, "Hardening: outages and stores".
"""

import logging
import time
from typing import Any, Iterable, Text

import sqlalchemy as sa

logger = logging.getLogger(__name__)

CHECKPOINT_ATTEMPTS = 5


def secure_delete_on(dbapi_connection: Any, _record: Any = None) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def zero_deleted_rows(engine: sa.engine.Engine) -> None:
    """Every new SQLite connection of the engine overwrites what deletes free."""
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", secure_delete_on)


def scrub_after_delete(engine: sa.engine.Engine, tables: Iterable[Text]) -> None:
    """After rows were deleted: SQLite's log emptied, PostgreSQL's tables vacuumed.
    Failures are logged (the rows are deleted either way) and never raised."""
    try:
        if engine.dialect.name == "sqlite":
            _checkpoint(engine)
        elif engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in tables:
                    connection.exec_driver_sql(f'VACUUM "{table}"')
    except sa.exc.SQLAlchemyError as error:
        logger.warning(
            "Scrubbing after a deletion failed (%s): deleted rows may remain on disk until the "
            "next checkpoint or vacuum",
            type(error).__name__,
        )


def _checkpoint(engine: sa.engine.Engine) -> None:
    for _ in range(CHECKPOINT_ATTEMPTS):
        with engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
        if not busy:
            return
        time.sleep(0.05)  # another connection is reading: it finishes in milliseconds
    logger.warning("The tracker database's log could not be emptied after a deletion (a reader held it)")
