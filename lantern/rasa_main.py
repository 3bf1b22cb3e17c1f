"""The `rasa` command with Lantern's start-up settings: `python -m lantern.rasa_main run ...`.

- TensorFlow 2.12, which Rasa 3.6 imports at start-up, requires JAX and imports
  it (if installed) only so that TensorFlow Lite can convert JAX models, which
  Rasa never does; TensorFlow carries on without it. Not importing JAX saves
  about 65 MiB of the server's memory and 0.3 s of start-up (`make bench`).
- Once the model is loaded, everything alive (TensorFlow's and Rasa's modules,
  the model: about 445,000 objects) is moved out of the garbage collector's
  reach with `gc.freeze()`: none of it is ever garbage, yet a full collection
  walks all it can reach (0.25 s by the end of start-up, with no message
  served). The youngest generation is collected every 20,000 allocations
  instead of 700: with 50 conversations in flight, a message's short-lived
  objects were still alive at a collection and were promoted, filling the
  oldest generation; with the heap frozen alone, full collections still came
  every 3-6 s under load (30-100 ms each), with both one in 25 s (gc callbacks
  during bench/load.py, session 5).
- `train` (scripts/train.sh): the same, done after Rasa's training modules are
  imported: collections had walked all of them again and again while the
  training data's messages were made (a cold training 76 -> 62 s).
"""

from __future__ import annotations

import functools
import gc
import sys
from typing import Any, Callable, Coroutine

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


def main() -> None:
    """Run Rasa's command line, without JAX, freezing the loaded model (or, to train, the code)."""
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]  # None: "import jax" fails
    import rasa.core.run
    from rasa.__main__ import main as rasa_main

    rasa.core.run.load_agent_on_start = freeze_after(rasa.core.run.load_agent_on_start)
    if sys.argv[1:2] == ["train"]:
        import rasa.model_training  # noqa: F401 - Rasa's and TensorFlow's modules, then freeze

        collect_less()
    rasa_main()


if __name__ == "__main__":
    main()
