"""Files that hold conversations or secrets: readable by their owner only.

Every entry point (intake-rasa, python -m actions, python -m intake, python -m intake.serve)
calls restrict_new_files() first, so whatever the process creates (SQLite databases and
their -wal/-shm, the spool, logs, tokens) is 0600 and its directories 0700. The stores
also make their own directory and file private (private_sqlite_file), so a server
started without these entry points (plain `rasa run`) does the same.
"""

import os
import secrets
from pathlib import Path
from typing import Text, Union

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PathLike = Union[Text, Path]


def restrict_new_files() -> None:
    os.umask(0o077)


def private_directory(path: PathLike) -> Path:
    """The directory, created 0700 (with its parents) when missing."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is cut by the umask
    return path


def private_sqlite_file(path: PathLike) -> None:
    """The database file and its directory exist, the file 0600 (SQLite gives -wal and
    -shm the database file's mode). Nothing for in-memory databases."""
    if not path or str(path) == ":memory:" or str(path).startswith("file:"):
        return
    path = Path(path)
    private_directory(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


def local_secret(variable: Text, file_name: Text) -> Text:
    """The secret from the environment, else from var/<file_name>, generated there (0600)
    on first use: both servers of one checkout read the same file."""
    value = os.environ.get(variable)
    if value:
        return value.strip()
    path = private_directory(VAR) / file_name
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()
