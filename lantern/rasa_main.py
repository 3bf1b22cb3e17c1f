"""The `rasa` command with Lantern's start-up settings: `python -m lantern.rasa_main run ...`.

TensorFlow 2.12, which Rasa 3.6 imports at start-up, requires JAX and imports it
(if installed) only so that TensorFlow Lite can convert JAX models, which Rasa
never does; TensorFlow carries on without it. Not importing JAX saves about
65 MiB of the server's memory and 0.3 s of start-up (`make bench`).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run Rasa's command line, without JAX."""
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]  # None: "import jax" fails
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
