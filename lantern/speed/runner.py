"""`InOrderGraphRunner`: Rasa's model graph run without dask, same nodes, same results.

Rasa runs the graph (NLU for each message, policies for each action) through
dask, which rebuilds and re-orders the task graph on every run. The nodes a set
of targets needs are ordered once here and called in that order, each once, with
the inputs and outputs dask gives them. lantern/rasa_main.py swaps it onto the
loaded agent (`from_runner`: the nodes already loaded, not loaded again).
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Sequence, Set, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

#: the nodes to call for a set of targets, each with the names of its inputs
_Order = List[Tuple[str, Sequence[str]]]


class InOrderGraphRunner(DaskGraphRunner):
    """A `DaskGraphRunner` that calls the needed nodes in a kept order instead of via dask."""

    @classmethod
    def from_runner(cls, runner: DaskGraphRunner) -> InOrderGraphRunner:
        """An in-order runner over `runner`'s schema and loaded nodes (not loaded again)."""
        ours = cls.__new__(cls)
        ours.__dict__.update(runner.__dict__)
        return ours

    def order(self, targets: Tuple[str, ...], given: FrozenSet[str]) -> _Order:
        """The nodes `targets` need (inputs in `given` stand in for nodes), dependencies first."""
        orders: Dict[Tuple[Tuple[str, ...], FrozenSet[str]], _Order] = self.__dict__.setdefault(
            "_orders", {}
        )
        key = (targets, given)
        if key in orders:
            return orders[key]
        nodes = self._graph_schema.nodes
        ordered: _Order = []
        seen: Set[str] = set()

        def visit(name: str) -> None:
            if name in seen or name in given or name not in nodes:
                return
            seen.add(name)
            needs = list(nodes[name].needs.values())
            for need in needs:
                visit(need)
            ordered.append((name, needs))

        for target in targets:
            visit(target)
        orders[key] = ordered
        return ordered

    def run(
        self,
        inputs: Dict[str, Any] | None = None,
        targets: List[str] | None = None,
    ) -> Dict[str, Any]:
        """`DaskGraphRunner.run`: each needed node once, dependencies first."""
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        inputs = inputs or {}
        if any(isinstance(v, str) and v in self._graph_schema.nodes for v in inputs.values()):
            return super().run(inputs, targets)  # Rasa's error for the clash
        # an input stands for a node's output: (name, value), as under dask
        values: Dict[str, Any] = {name: (name, value) for name, value in inputs.items()}
        try:
            for name, needs in self.order(run_targets, frozenset(inputs)):
                values[name] = self._instantiated_nodes[name](*(values.get(n, n) for n in needs))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(values[target] for target in run_targets)  # each is (name, output)
