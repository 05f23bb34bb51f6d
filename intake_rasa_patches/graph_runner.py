"""Runs a loaded model's graph node after node, in a fixed order worked out once per
set of targets, instead of building a dask graph on every run (see lean_rasa.py)."""

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

# (node name, the names its inputs come from), in an order where each comes after its inputs
Plan = List[Tuple[Text, Tuple[Text, ...]]]


class SequentialGraphRunner(DaskGraphRunner):
    """The same nodes, inputs and results as DaskGraphRunner (it only replaces run)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: Dict[Tuple[Text, ...], Plan] = {}

    def _plan(self, targets: Tuple[Text, ...]) -> Plan:
        if targets not in self._plans:
            nodes = self._graph_schema.minimal_graph_schema(list(targets)).nodes
            plan: Plan = []
            placed = set()

            def place(name: Text) -> None:
                if name in placed or name not in nodes:
                    return  # placed already, or a run input
                placed.add(name)
                for needed in nodes[name].needs.values():
                    place(needed)
                plan.append((name, tuple(nodes[name].needs.values())))

            for name in nodes:
                place(name)
            self._plans[targets] = plan
        return self._plans[targets]

    def run(self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        plan = self._plan(run_targets)
        results: Dict[Text, Tuple[Text, Any]] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(f"Input value '{value}' clashes with a node name.")
            results[name] = (name, value)
        for name, needs in plan:
            missing = [needed for needed in needs if needed not in results]
            if missing:
                raise GraphRunError(f"Node '{name}' needs {missing}, which this run was not given.")
            try:
                results[name] = self._instantiated_nodes[name](*(results[needed] for needed in needs))
            except RuntimeError as error:  # as DaskGraphRunner reports it
                raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)
