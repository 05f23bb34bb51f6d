"""How a message is put, whatever its intent: a question or a statement."""

import re
from typing import Text

_QUESTION = re.compile(
    r"\?|^\W*(?:so |and |but |ok |okay )?(?:what|how|when|where|who|why|which|can|could|would|will|should|do|"
    r"does|is|are|am|may|shall|did|any idea|i wonder|i was wondering|wondering)\b"
)


def is_question(text: Text) -> bool:
    """A question mark, or a sentence that opens as a question does ("how long is it")."""
    return bool(_QUESTION.search((text or "").lower().strip()))
