"""lantern/rasa_main.py: Rasa's command with the speed-ups, no JAX, and a frozen heap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from bench.processes import server_pids
from tests.servers import ROOT, Servers


def _printed(code: str) -> List[str]:
    """The words `code` prints when run by a fresh Python (stderr shown on failure)."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_the_server_freezes_what_the_model_load_leaves_alive() -> None:
    """`python -m lantern.rasa_main` wraps Rasa's agent loading: after it, a frozen heap."""
    code = (
        "import asyncio, gc\n"
        "import rasa.__main__, rasa.core.run\n"
        "rasa.__main__.main = lambda: None\n"
        "async def load(*args, **kwargs):\n"
        "    return [[n] for n in range(5000)]\n"
        "rasa.core.run.load_agent_on_start = load\n"
        "from lantern import rasa_main\n"
        "rasa_main.main()\n"
        "before = (gc.get_freeze_count(), gc.get_threshold()[0])\n"
        "loaded = asyncio.run(rasa.core.run.load_agent_on_start('model', 'endpoints'))\n"
        "print(*before, len(loaded), gc.get_freeze_count() > 5000, gc.get_threshold()[0])\n"
    )
    assert _printed(code) == ["0", "700", "5000", "True", "20000"]


def test_training_freezes_the_code_and_collects_less() -> None:
    """`python -m lantern.rasa_main train` (scripts/train.sh): Rasa's modules frozen first."""
    code = (
        "import gc, sys\n"
        "import rasa.__main__\n"
        "def train():\n"
        "    from lantern.speed import patches\n"
        "    print(gc.get_freeze_count() > 100000, gc.get_threshold()[0],\n"
        "          'rasa.model_training' in sys.modules, sys.modules['jax'] is None,\n"
        "          patches.installed() == [])\n"
        "rasa.__main__.main = train\n"
        "sys.argv = ['rasa', 'train']\n"
        "from lantern import rasa_main\n"
        "rasa_main.main()\n"
    )
    assert _printed(code) == ["True", "20000", "True", "True", "True"]  # trained as Rasa trains
    script = (ROOT / "scripts/train.sh").read_text()
    assert "-m lantern.rasa_main train" in script and "bin/rasa train" not in script


def test_a_loaded_agent_gets_the_in_order_runner_and_pooled_endpoint() -> None:
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.endpoints import EndpointConfig

    from lantern.rasa_main import equip
    from lantern.speed.endpoint import PooledEndpointConfig
    from lantern.speed.runner import InOrderGraphRunner

    endpoint = EndpointConfig("http://127.0.0.1:9/webhook", headers={"X-Secret": "s"})
    model = str(ROOT / "models" / "lantern.tar.gz")
    agent = Agent.load(model, action_endpoint=endpoint)
    dask = agent.processor.graph_runner
    assert type(dask) is DaskGraphRunner
    equip(agent)
    runner = agent.processor.graph_runner
    assert type(runner) is InOrderGraphRunner
    assert runner._instantiated_nodes is dask._instantiated_nodes  # the model, not reloaded
    pooled = agent.action_endpoint
    assert type(pooled) is PooledEndpointConfig and agent.processor.action_endpoint is pooled
    assert (pooled.url, pooled.headers) == (endpoint.url, endpoint.headers)
    equip(agent)  # again: nothing changes
    assert agent.processor.graph_runner is runner and agent.action_endpoint is pooled


@pytest.mark.server
def test_the_rasa_server_runs_without_jax(servers: Servers) -> None:
    pid = server_pids(servers.process.pid)["rasa"]
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "tensorflow" in maps  # the right process: Rasa always loads TensorFlow
    assert "jaxlib" not in maps


def test_serving_limits_numpy_to_one_blas_thread() -> None:
    """Extra BLAS threads spin on a message's small products: serving runs with one."""
    code = (
        "import os, sys\n"
        "for name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):\n"
        "    os.environ.pop(name, None)\n"
        "import rasa.__main__\n"
        "rasa.__main__.main = lambda: None\n"
        "from lantern import rasa_main\n"
        "sys.argv = ['rasa', sys.argv[1]]\n"
        "rasa_main.main()\n"
        "import numpy\n"
        "from threadpoolctl import threadpool_info\n"
        "print(sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'}))\n"
    )
    served = subprocess.run(
        [sys.executable, "-c", code, "run"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert served.returncode == 0, served.stderr[-2000:]
    assert served.stdout.split()[-1] == "[1]"
