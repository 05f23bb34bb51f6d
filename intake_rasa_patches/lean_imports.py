"""No TensorFlow in a Rasa process whose model uses none.

Rasa 3.6 imports TensorFlow (with Keras, JAX and matplotlib: about 350 MB and 3 s)
in every process that loads a model, whatever the model's components are:
- `rasa.core.policies.policy` -> ... -> `rasa.utils.train_utils` imports Rasa's
  Keras callbacks, which subclass `tf.keras.callbacks.Callback` at import time;
- loading a model deserializes its *training* graph too, whose recipe validator
  imports DIET, ResponseSelector and TED;
- thinc (spaCy) imports TensorFlow when installed, to offer its TensorFlow shims.
This model uses no TensorFlow component, so before Rasa is imported this:
- defers `rasa.utils.train_utils` until one of its names is used (only the
  TensorFlow components use them);
- reads a model's training graph only when something asks for it (fine-tuning;
  serving never does);
- lets thinc see no TensorFlow (only thinc's own TensorFlow shims would need it).
Nothing changes meaning: a model with DIET or TED imports TensorFlow when it loads
them, exactly as before.

It also runs a loaded model's graph with a plain loop (SequentialGraphRunner): Rasa
hands each of the ~4 graph runs of a turn to dask, which rebuilds the graph and its
schedule every time; for a graph of a dozen nodes that bookkeeping costs more than a
tenth of a turn. Training keeps dask. And it keeps the loaded model out of the
garbage collector's full collections (gc.freeze), which otherwise stall a worker.
"""

import ast
import importlib
import importlib.util
import sys
import types
from typing import Any, Dict, FrozenSet, Optional, Text

DEFERRED_MODULES = ("rasa.utils.train_utils",)


class DeferredModule(types.ModuleType):
    """Stands in for a module until one of its names is used."""

    _names: FrozenSet[Text] = frozenset()

    def __getattr__(self, name: Text) -> Any:
        # Names the module does not define stay missing without loading it: pickle
        # and skops look every loaded module over for the classes they (de)serialize.
        if name not in self._names:
            raise AttributeError(name)
        return getattr(_load_real_module(self.__name__), name)


def _bound_names(source: Text) -> FrozenSet[Text]:
    """Every name the source binds, at any depth: a superset of the module's attributes
    (a name it binds only inside a function loads the module, which then says no)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return frozenset(names)


def _load_real_module(name: Text) -> types.ModuleType:
    stand_in = sys.modules.get(name)
    if not isinstance(stand_in, DeferredModule):
        return stand_in
    del sys.modules[name]
    module = importlib.import_module(name)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)
    return module


def defer(name: Text) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    stand_in = DeferredModule(name)
    stand_in.__spec__, stand_in.__file__, stand_in.__loader__ = spec, spec.origin, spec.loader
    with open(spec.origin, encoding="utf-8") as source:
        stand_in._names = _bound_names(source.read())
    sys.modules[name] = stand_in
    parent, _, child = name.rpartition(".")
    setattr(importlib.import_module(parent), child, stand_in)


def _hide_tensorflow_from_thinc() -> None:
    if "thinc.compat" in sys.modules or "tensorflow" in sys.modules:
        return  # too late: nothing left to save
    sys.modules["tensorflow"] = None  # makes `import tensorflow` raise ImportError
    try:
        import thinc.compat  # noqa: F401
    finally:
        del sys.modules["tensorflow"]


def _read_training_graph_on_demand() -> None:
    from rasa.engine.graph import GraphSchema
    from rasa.engine.storage.storage import ModelMetadata

    class OnDemandGraphSchema(GraphSchema):
        def __init__(self, serialized: Dict[Text, Any]) -> None:  # the nodes come later
            self._serialized = serialized
            self._nodes: Optional[Dict] = None

        @property
        def nodes(self) -> Dict:
            if self._nodes is None:
                self._nodes = GraphSchema.from_dict(self._serialized).nodes
            return self._nodes

        @nodes.setter
        def nodes(self, nodes: Dict) -> None:
            self._nodes = nodes

    from_dict = ModelMetadata.from_dict.__func__
    if getattr(from_dict, "_reads_training_graph_on_demand", False):
        return

    def metadata_from_dict(cls: type, serialized: Dict[Text, Any]) -> ModelMetadata:
        metadata = from_dict(cls, dict(serialized, train_schema={"nodes": {}}))
        metadata.train_schema = OnDemandGraphSchema(serialized["train_schema"])
        return metadata

    metadata_from_dict._reads_training_graph_on_demand = True
    ModelMetadata.from_dict = classmethod(metadata_from_dict)


def _run_loaded_models_sequentially() -> None:
    import rasa.core.processor

    from intake_rasa_patches.graph_runner import SequentialGraphRunner

    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner


def _freeze_loaded_model_for_gc() -> None:
    """After a server (each Sanic worker) loads its model, the objects it holds are
    moved out of the garbage collector's view (gc.freeze): they live as long as the
    server, and a full collection that walks them all stalls every turn of that worker
    for about 200 ms (measured under load; about 50 ms after the freeze)."""
    import gc

    import rasa.core.run

    load_agent_on_start = rasa.core.run.load_agent_on_start

    async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
        loaded = await load_agent_on_start(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return loaded

    rasa.core.run.load_agent_on_start = load_agent_then_freeze


def install() -> None:
    """Must run before Rasa's policies or spaCy are imported."""
    _hide_tensorflow_from_thinc()
    for name in DEFERRED_MODULES:
        defer(name)
    _read_training_graph_on_demand()
    _run_loaded_models_sequentially()
    _freeze_loaded_model_for_gc()
