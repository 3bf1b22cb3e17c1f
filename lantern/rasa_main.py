"""The `rasa` command as Lantern runs it: `python -m lantern.rasa_main run|shell|test|train ...`.

Every command that loads a model (serving, the shell, `rasa test`) runs the same
Rasa: the speed-ups of lantern/speed/ (patches installed here, the graph runner
and action endpoint swapped onto each loaded agent; `LANTERN_RASA_PATCHES=0`:
none). JAX is not imported (TensorFlow imports it only for a converter Rasa never
uses), and the loaded model is moved out of the garbage collector's reach, as the
code is before training: both cost memory and time for nothing (docs/performance.md).
"""

from __future__ import annotations

import functools
import gc
import sys
from typing import TYPE_CHECKING, Any, Callable, Coroutine

if TYPE_CHECKING:
    from rasa.core.agent import Agent

#: collect the youngest generation every this many allocations (Python: 700)
YOUNG_THRESHOLD = 20_000


def collect_less() -> None:
    """A full collection, `gc.freeze()` of what survives, and the young threshold."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def freeze_after(load: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """`load`, then `collect_less()`."""

    @functools.wraps(load)
    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        loaded = await load(*args, **kwargs)
        collect_less()
        return loaded

    return load_then_freeze


def equip(agent: Agent) -> None:
    """Swap Lantern's graph runner and pooled action endpoint onto a loaded agent."""
    from rasa.engine.runner.dask import DaskGraphRunner

    from lantern.speed.endpoint import PooledEndpointConfig
    from lantern.speed.runner import InOrderGraphRunner

    processor = agent.processor
    if processor is not None and type(processor.graph_runner) is DaskGraphRunner:
        processor.graph_runner = InOrderGraphRunner.from_runner(processor.graph_runner)
    endpoint = agent.action_endpoint
    if endpoint is not None and not isinstance(endpoint, PooledEndpointConfig):
        agent.action_endpoint = PooledEndpointConfig.from_endpoint(endpoint)
    if processor is not None:
        processor.action_endpoint = agent.action_endpoint


def speed_up() -> bool:
    """Install the speed-ups (if the guard allows: lantern/speed/guard.py); whether they run."""
    from lantern.speed import patches

    return patches.apply(on_load=equip)


#: The thread pools of the numerical libraries, limited to one thread when serving.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """One thread for numpy's BLAS (unless the environment sets it).

    A message's matrix products are small: OpenBLAS's extra threads spin while they
    wait and doubled the server's CPU per message (5.8 -> 11.9 ms measured on two
    cores) for no gain in latency. Concurrency comes from serving conversations.
    """
    import os

    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")
    if "numpy" in sys.modules:  # loaded already (an embedding caller): limit its pools now
        from threadpoolctl import threadpool_limits

        threadpool_limits(int(os.environ["OPENBLAS_NUM_THREADS"]), user_api="blas")


def main() -> None:
    """Run Rasa's command line as Lantern runs it (see the module doc)."""
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]  # None: "import jax" fails
    if sys.argv[1:2] != ["train"]:
        one_blas_thread()
    import rasa.core.run
    from rasa.__main__ import main as rasa_main

    rasa.core.run.load_agent_on_start = freeze_after(rasa.core.run.load_agent_on_start)
    if sys.argv[1:2] == ["train"]:
        import rasa.model_training  # noqa: F401 - Rasa's and TensorFlow's modules, then freeze

        collect_less()
    else:
        speed_up()
    rasa_main()


if __name__ == "__main__":
    main()
