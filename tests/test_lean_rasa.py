"""intake-rasa (intake_rasa_patches/lean_imports.py): a server of this model never imports
TensorFlow, and nothing Rasa does changes meaning."""

import json
import subprocess
import textwrap

import pytest

from tests.conftest import MODEL_PATH
from tests.servers import PYTHON, ROOT, env

pytestmark = pytest.mark.patched


def run_python(code: str) -> dict:
    """Runs code in a fresh interpreter (imports are per process); it prints one JSON line."""
    done = subprocess.run(
        [PYTHON, "-c", textwrap.dedent(code)], cwd=ROOT, env=env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_model_loads_and_answers_without_tensorflow():
    result = run_python(f"""
        import asyncio, json, sys
        from intake_rasa_patches import lean_imports as lean_rasa
        lean_rasa.install()
        from rasa.core.agent import Agent
        from rasa.core.tracker_store import InMemoryTrackerStore

        async def talk():
            agent = Agent.load({str(MODEL_PATH)!r})
            agent.tracker_store = InMemoryTrackerStore(agent.domain)
            agent.processor.tracker_store = agent.tracker_store
            replies = await agent.handle_text("I want to hurt myself", sender_id="lean")
            return [reply.get("text") for reply in replies]

        replies = asyncio.run(talk())
        print(json.dumps({{"replies": replies, "tensorflow": "tensorflow" in sys.modules,
                          "keras": "keras" in sys.modules}}))
    """)
    assert result["tensorflow"] is False and result["keras"] is False
    # The crisis response (its crisis line is filled in by the practice's NLG, not loaded here).
    assert any("concerned for your safety" in (text or "") for text in result["replies"])


def test_the_deferred_module_loads_on_first_use_and_hides_nothing():
    result = run_python("""
        import json, sys
        from intake_rasa_patches import lean_imports as lean_rasa
        lean_rasa.install()
        import rasa.utils.train_utils as train_utils
        before = "tensorflow" in sys.modules
        missing = hasattr(train_utils, "no_such_name")  # as pickle asks: must not load it
        after_missing = "tensorflow" in sys.modules
        rank_and_mask = train_utils.rank_and_mask  # a real name: the real module loads
        print(json.dumps({"before": before, "missing": missing, "after_missing": after_missing,
                          "loaded": "tensorflow" in sys.modules,
                          "real": rank_and_mask.__module__,
                          "same": sys.modules["rasa.utils.train_utils"] is not train_utils
                                  and rank_and_mask is sys.modules["rasa.utils.train_utils"].rank_and_mask}))
    """)
    assert result == {
        "before": False,
        "missing": False,
        "after_missing": False,
        "loaded": True,
        "real": "rasa.utils.train_utils",
        "same": True,
    }


def test_the_training_graph_is_read_when_asked_for():
    result = run_python(f"""
        import json
        from intake_rasa_patches import lean_imports as lean_rasa
        lean_rasa.install()
        from rasa.engine.storage.local_model_storage import LocalModelStorage
        import pathlib, tempfile
        storage, metadata = LocalModelStorage.from_model_archive(pathlib.Path(tempfile.mkdtemp()), {str(MODEL_PATH)!r})
        nodes = metadata.train_schema.nodes
        print(json.dumps({{"train_nodes": len(nodes),
                          "validator": any(n.uses.__name__ == "DefaultV1RecipeValidator" for n in nodes.values()),
                          "predict_nodes": len(metadata.predict_schema.nodes)}}))
    """)
    assert result["validator"] is True and result["train_nodes"] > result["predict_nodes"] > 0


def test_a_server_freezes_its_loaded_model_out_of_the_garbage_collector():
    result = run_python(f"""
        import asyncio, gc, json, sys, types
        from intake_rasa_patches import lean_imports as lean_rasa
        lean_rasa.install()
        import rasa.core.run
        from rasa.core.utils import AvailableEndpoints

        app = types.SimpleNamespace(ctx=types.SimpleNamespace())
        before = gc.get_freeze_count()
        asyncio.run(rasa.core.run.load_agent_on_start({str(MODEL_PATH)!r}, AvailableEndpoints(), None, app, None))
        print(json.dumps({{"loaded": app.ctx.agent.is_ready(), "frozen_before": before,
                          "frozen_after": gc.get_freeze_count(), "tensorflow": "tensorflow" in sys.modules}}))
    """)
    assert result["loaded"] and result["frozen_before"] == 0
    assert result["frozen_after"] > 100_000  # the model's objects: spaCy, vectorizers, rules, domain
    assert result["tensorflow"] is False
