"""Crisis turns taken during a store outage, kept on local disk until the stores are back.

When the tracker store or the lock store is down, a crisis message still gets the
crisis response (intake_channels/outage.py), and the turn (the message, its parse,
risk_flag set, the reply) is written here: one JSON file per turn, 0600, in a 0700
directory (INTAKE_SPOOL_DIR, default var/spool next to the stores' var/tracker.db), fsynced before the reply goes out.
Once the stores answer again the Rasa server appends each kept turn to its conversation
(replay), under the conversation's lock, skipping a turn whose message id is already
stored: each turn is stored exactly once, also when a replay was interrupted or a
client sent the same message again. Only then is the file removed.

The files hold what the person wrote: the directory must be on the server's own disk
(a volume in a container that is not lost with it) and is removed turn by turn.
"""

import fcntl
import hashlib
import json
import logging
import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Text

from intake.private_files import private_directory

logger = logging.getLogger(__name__)

SPOOL_VARIABLE = "INTAKE_SPOOL_DIR"


def _conversation_key(sender_id: Text) -> Text:
    """File names carry a digest of the conversation id, never the id itself."""
    return hashlib.sha256(sender_id.encode("utf-8", "surrogatepass")).hexdigest()[:24]


class OutageSpool:
    def __init__(self, directory: Optional[Path] = None) -> None:
        self.directory = Path(directory or os.environ.get(SPOOL_VARIABLE) or Path("var") / "spool")

    def keep(self, sender_id: Text, message_id: Text, events: List[Dict[Text, Any]]) -> Path:
        """Writes the turn durably (fsynced, then renamed into place); raises OSError."""
        private_directory(self.directory)
        name = f"{time.time_ns():020d}-{_conversation_key(sender_id)}-{uuid.uuid4().hex[:8]}.json"
        partial = self.directory / (name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"sender_id": sender_id, "message_id": message_id, "events": events}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        final = self.directory / name
        os.rename(partial, final)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return final

    def pending(self, sender_id: Optional[Text] = None) -> List[Path]:
        """Kept turns in the order taken; only that conversation's when named."""
        if not self.directory.is_dir():
            return []
        key = _conversation_key(sender_id) if sender_id is not None else None
        return sorted(path for path in self.directory.glob("*.json") if key is None or path.name.split("-")[1] == key)

    @staticmethod
    def read(path: Path) -> Dict[Text, Any]:
        return json.loads(path.read_text())

    @staticmethod
    @contextmanager
    def claimed(path: Path) -> Iterator[bool]:
        """Whether this process may replay the turn now: one replayer a file (several
        Sanic workers share the spool)."""
        try:
            handle = open(path)
        except FileNotFoundError:
            yield False
            return
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            yield path.exists()

    @staticmethod
    def done(path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
