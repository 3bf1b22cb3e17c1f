"""lantern/speed.py, lantern/nlu/classifier.py, lantern/rasa_main.py: faster, same behaviour."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import operator
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    EntitiesAdded,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from bench.perf_report import server_pids
from lantern import speed
from lantern.retention import purge_conversations
from lantern.stores import LanternTrackerStore
from tests.servers import ROOT, Servers

GOOD: Dict[str, Any] = {
    "events": [{"event": "slot", "name": "substance", "value": "ketamine"}],
    "responses": [{"text": "hi", "custom": {"answer_id": "welcome"}}],
}
BAD = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": [{"text": 3}], "events": [{"event": "bogus_event_type"}]},
]


def _rasa_error(response: Dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        speed.rasa_validate_action_result(RemoteAction("a", None), copy.deepcopy(response))
    return caught.value.message


def test_the_cached_validator_accepts_and_rejects_exactly_as_rasa_does() -> None:
    speed.cache_action_response_validator()
    action = RemoteAction("action_answer", None)
    assert RemoteAction._validate_action_result is not speed.rasa_validate_action_result
    assert speed.rasa_validate_action_result(action, GOOD) is True
    assert action._validate_action_result(GOOD) is True
    for response in BAD:
        expected = _rasa_error(response)
        with pytest.raises(ValidationError) as caught:
            action._validate_action_result(copy.deepcopy(response))
        assert caught.value.message == expected
        assert "Failed to validate Action server response" in expected


def test_event_types_resolve_as_rasa_resolves_them() -> None:
    speed.cache_event_types()
    for cls in all_subclasses(Event):
        expected = speed.rasa_resolve_by_type(cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is expected
        assert Event.resolve_by_type(cls.type_name) is expected  # cached
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def test_the_sqlite_store_pools_write_ahead_connections(tracker_store: LanternTrackerStore) -> None:
    with tracker_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert type(tracker_store.engine.pool).__name__ == "QueuePool"
    # the server uses one connection at a time: it gets the one it used last
    first, second = tracker_store.engine.raw_connection(), tracker_store.engine.raw_connection()
    ids = [id(first.dbapi_connection), id(second.dbapi_connection)]
    first.close()
    second.close()
    for _ in range(3):
        again = tracker_store.engine.raw_connection()
        assert id(again.dbapi_connection) == ids[1]
        again.close()


def test_the_sqlite_store_keeps_every_turn_across_threads_and_restarts(
    tracker_store: LanternTrackerStore,
) -> None:
    events = [ActionExecuted("action_listen")]
    for turn in range(30):
        events.append(UserUttered(f"turn {turn}", {"name": "greet"}))
        asyncio.run(tracker_store.save(DialogueStateTracker.from_events("wal", events)))
    # the retention purge uses the same store from a worker thread
    purged: list = []
    worker = threading.Thread(target=lambda: purged.append(purge_conversations(tracker_store)))
    worker.start()
    worker.join()
    assert purged == [0]
    reopened = LanternTrackerStore()  # a restart: a new engine on the same file
    tracker = asyncio.run(reopened.retrieve("wal"))
    assert tracker is not None
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert texts == [f"turn {turn}" for turn in range(30)]


def _classifier(agent: Any) -> Any:
    from lantern.nlu.classifier import LanternLogisticRegression

    nodes = agent.processor.graph_runner._instantiated_nodes
    found = [
        n._component for n in nodes.values() if isinstance(n._component, LanternLogisticRegression)
    ]
    assert len(found) == 1
    return found[0]


def test_the_classifier_saves_loads_and_predicts_like_rasas(tmp_path: Path) -> None:
    from rasa.core.agent import load_agent
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))
    loaded = _classifier(agent)
    clf = loaded.clf
    assert clf.coef_.flags.f_contiguous
    rows = np.random.default_rng(0).random((5, clf.coef_.shape[1]))
    # the same numbers as the row-major matrix scikit-learn trained
    row_major = copy.deepcopy(clf)
    row_major.coef_ = np.ascontiguousarray(clf.coef_)
    assert np.allclose(clf.predict_proba(rows), row_major.predict_proba(rows))
    # saved and loaded again: the same classifier
    storage, resource = LocalModelStorage(tmp_path), Resource("classifier")
    copy_ = type(loaded)(loaded.config, "classifier", storage, resource)
    copy_.clf = clf
    copy_.persist()
    context = ExecutionContext(GraphSchema({}), "test")
    again = type(loaded).load(loaded.config, storage, resource, context).clf
    assert list(again.classes_) == list(clf.classes_)
    assert np.array_equal(again.predict_proba(rows), clf.predict_proba(rows))
    # nothing saved (no intents to train): an untrained classifier, as Rasa's
    empty = type(loaded).load(loaded.config, storage, Resource("never_saved"), context)
    assert not hasattr(empty.clf, "coef_")


TEXTS = (
    "is ketamine addictive?",
    "can shrooms help my cluster headaches",
    "how do i get ready for my first session",
    "wat r the side efects of spravato",
    "My mum has fibro and wonders whether psilocybin trials exist. Is that a thing?",
    "menu",
    "??",
)


def test_the_classifier_ranks_intents_as_rasas_does() -> None:
    from rasa.core.agent import load_agent
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from rasa.shared.nlu.training_data.message import Message

    from lantern.nlu.featurizer import SentenceCountVectors
    from lantern.nlu.tokenizer import LanternTokenizer

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))
    nodes = agent.processor.graph_runner._instantiated_nodes
    ordered = sorted(
        (
            (int("".join(c for c in name if c.isdigit()) or 0), n._component)
            for name, n in nodes.items()
            if name.startswith("run_")
        ),
        key=lambda pair: pair[0],
    )
    before = [c for _, c in ordered if isinstance(c, (LanternTokenizer, SentenceCountVectors))]
    assert len(before) == 3  # the tokenizer, then the word and character featurizers
    messages = [Message(data={"text": text}) for text in TEXTS]
    for component in before:
        messages = component.process(messages)
    classifier = _classifier(agent)
    # Rasa's way has no question part (lantern/nlu/question.py weighs it in on purpose)
    classifier.config["question_weight"] = 0.0
    ours = classifier.process(copy.deepcopy(messages))
    rasas = LogisticRegressionClassifier.process(classifier, copy.deepcopy(messages))
    for mine, theirs in zip(ours, rasas, strict=True):
        assert mine.get("intent")["name"] == theirs.get("intent")["name"]
        assert [r["name"] for r in mine.get("intent_ranking")] == [
            r["name"] for r in theirs.get("intent_ranking")
        ]
        assert np.allclose(
            [r["confidence"] for r in mine.get("intent_ranking")],
            [r["confidence"] for r in theirs.get("intent_ranking")],
            rtol=0,
            atol=1e-12,
        )


def test_the_rule_policy_remembers_exactly_the_rules_that_match() -> None:
    from rasa.core.agent import load_agent
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    (policy,) = [n._component for n in nodes if isinstance(n._component, RulePolicy)]
    for lookup in (policy.lookup[RULES], policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]):
        # every rule's own states, each with its last user intent changed, each
        # after the states of other rules (a longer conversation that ends the same)
        own = [json.loads(key) for key in lookup]
        sequences = own + [
            [*states[:-1], {**states[-1], "user": {"intent": "greet"}}] for states in own
        ]
        sequences += [before + states for before in own[:12] for states in own]
        # and each with its first state replaced by the last of another
        sequences += [[other[-1], *states[1:]] for other in own[:12] for states in own]
        policy.__dict__.pop("_lantern_rule_matches", None)
        for states in sequences:
            expected = speed.rasa_get_possible_keys(policy, lookup, states)
            first = speed._get_possible_keys(policy, lookup, states)
            first.clear()  # a caller's change must not reach what is remembered
            assert speed._get_possible_keys(policy, lookup, states) == expected
        assert any(speed.rasa_get_possible_keys(policy, lookup, s) for s in sequences)
        # conversations that end in the same states, as many as the longest rule
        # has, are remembered as one
        longest = max(own, key=len)
        assert len(longest) == speed._longest_rule(policy, lookup)
        policy.__dict__.pop("_lantern_rule_matches", None)
        for before in own[:12]:
            speed._get_possible_keys(policy, lookup, before + longest)
        assert len(policy.__dict__["_lantern_rule_matches"]) == 1


def test_graphs_run_in_order_give_what_dask_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.agent import load_agent
    from rasa.engine.runner.dask import DaskGraphRunner

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))

    def both(run: Any) -> list:
        """Parse each text, then predict the next action after it, with `run`."""
        monkeypatch.setattr(DaskGraphRunner, "run", run)
        out = []
        for text in (*TEXTS, "I want to kill myself", "start my intake"):
            parsed = asyncio.run(agent.parse_message(text))
            tracker = DialogueStateTracker.from_events(
                "graph",
                [ActionExecuted("action_listen"), UserUttered(text, parsed)],
                slots=agent.domain.slots,
            )
            prediction = agent.processor._predict_next_with_tracker(tracker)
            out.append((parsed, prediction.policy_name, list(prediction.probabilities)))
        return out

    in_order = both(speed._run_in_order)
    assert in_order == both(speed.rasa_graph_run)
    assert "safety_crisis" in {p[0]["intent"]["name"] for p in in_order}
    assert len(agent.processor.graph_runner.__dict__["_lantern_orders"]) == 2  # NLU, policies


def test_loading_the_model_does_not_import_skops() -> None:
    code = (
        "import asyncio, sys\n"
        "from rasa.core.agent import load_agent\n"
        f"agent = asyncio.run(load_agent(model_path={str(ROOT / 'models' / 'lantern.tar.gz')!r}))\n"
        "print(agent.is_ready(), 'skops' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.stdout.split()[-2:] == ["True", "False"], out.stderr[-2000:]


@pytest.mark.server
def test_the_rasa_server_runs_without_jax(servers: Servers) -> None:
    pid = server_pids(servers.process.pid)["rasa"]
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "tensorflow" in maps  # the right process: Rasa always loads TensorFlow
    assert "jaxlib" not in maps


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


def _printed(code: str) -> List[str]:
    """The words `code` prints when run by a fresh Python (stderr shown on failure)."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_training_freezes_the_code_and_collects_less() -> None:
    """`python -m lantern.rasa_main train` (scripts/train.sh): Rasa's modules frozen first."""
    code = (
        "import gc, sys\n"
        "import rasa.__main__\n"
        "def train():\n"
        "    print(gc.get_freeze_count() > 100000, gc.get_threshold()[0],\n"
        "          'rasa.model_training' in sys.modules, sys.modules['jax'] is None)\n"
        "rasa.__main__.main = train\n"
        "sys.argv = ['rasa', 'train']\n"
        "from lantern import rasa_main\n"
        "rasa_main.main()\n"
    )
    assert _printed(code) == ["True", "20000", "True", "True"]
    script = (ROOT / "scripts/train.sh").read_text()
    assert "-m lantern.rasa_main train" in script and "bin/rasa train" not in script


def test_the_safety_audit_writes_ahead_on_one_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lantern.safety import audit

    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    audit.record_replies(["safety_crisis", "psilocybin"], "rest", "audit-1")
    audit.record_replies(["decline_dosing"], "socketio", "audit-2")
    assert audit._db() is audit._db()  # one connection per file, not one per reply
    assert audit._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [(e[0], e[2], e[3]) for e in audit.events()] == [
        ("safety_crisis", "rest", "audit-1"),
        ("decline_dosing", "socketio", "audit-2"),
    ]
    # committed: another connection (a staff report, a test) reads both rows
    other = sqlite3.connect(tmp_path / "safety_audit.sqlite")
    assert other.execute("SELECT count(*) FROM safety_events").fetchone()[0] == 2


def test_slots_copy_as_copy_copy_copies_them() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import Slot

    slots = Domain.load(str(ROOT / "domain.yml")).slots
    assert len(slots) > 10
    for slot in slots:
        slot.value = ["a", "list"] if slot.type_name == "list" else slot.value
        generic = copy.copy(slot)  # the generic protocol (nothing patched here)
        direct = speed._copy_slot(slot)
        assert type(direct) is type(slot) and direct is not slot
        assert direct.__dict__ == generic.__dict__ == slot.__dict__
        assert direct.__dict__ is not slot.__dict__
        direct.value = "changed"
        assert slot.value != "changed"  # a copy, not the same slot
    assert not hasattr(Slot, "__copy__") or Slot.__copy__ is speed._copy_slot


def test_action_calls_keep_their_connection_and_survive_a_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    import aiohttp.web
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(EndpointConfig, "session", speed._session)
    monkeypatch.setattr(speed, "KEEPALIVE_S", 0.3)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    peers: list = []
    bodies: list = []

    async def webhook(request: aiohttp.web.Request) -> aiohttp.web.Response:
        peers.append(request.transport.get_extra_info("peername")[1])
        bodies.append(await request.json())
        return aiohttp.web.json_response({"events": [], "responses": []})

    async def serve() -> aiohttp.web.AppRunner:
        app = aiohttp.web.Application()
        app.router.add_post("/webhook", webhook)
        runner = aiohttp.web.AppRunner(app)
        await runner.setup()
        await aiohttp.web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    async def scenario() -> list:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        runner = await serve()
        sent = [{"n": n, "text": "é/\u202e😀", "big": 2**70} for n in range(5)]
        answers = [await endpoint.request(json=body, method="post") for body in sent]
        assert bodies == sent  # written with ujson (json for the big integer): the same JSON
        assert len(set(peers)) == 1  # one connection for five calls
        await runner.cleanup()  # the action server restarts
        runner = await serve()
        answers.append(await endpoint.request(json={}, method="post"))
        await asyncio.sleep(0.6)  # idle longer than the keep-alive: closed by us
        answers.append(await endpoint.request(json={}, method="post"))
        await runner.cleanup()
        await endpoint.__dict__["_lantern_session"].close()
        return answers

    answers = asyncio.run(scenario())
    assert answers == [{"events": [], "responses": []}] * 7
    assert len(set(peers)) == 3  # a new connection after the restart and after idling


EVENT_CASES = [
    {"event": "slot", "name": "substance", "value": "ketamine"},
    {"event": "slot", "name": "substance"},  # no value: invalid
    {"event": "slot", "name": 3, "value": None},
    {"event": "bot", "text": "hello", "data": {"custom": {"answer_id": "x"}}},
    {"event": "bot", "text": 3},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
    {"event": "followup", "name": "action_answer"},
    {"event": "active_loop", "name": None},
    {"event": "session_started", "timestamp": 1.5},
    {"event": "session_started", "timestamp": "yesterday"},
    {"event": "reset_slots"},
    {"event": "restart", "metadata": []},
    {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
    {"event": "user", "text": "hi", "parse_data": {"entities": [{"entity": "x"}]}},
    {"event": "no_such_event"},
    {"event": 7},
    {"name": "no event key"},
    "not an object",
    None,
]


def test_responses_are_accepted_exactly_when_the_full_schema_accepts_them() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    full = speed.action_response_validator()
    responses = [{"events": [event]} for event in EVENT_CASES]
    responses += [{"events": EVENT_CASES[:2]}, {"events": None}, {"events": "x"}, {}]
    responses += [{"events": [EVENT_CASES[0]], "responses": [{"text": 3}]}]
    verdicts = [speed._valid_by_event_type(r) for r in responses]
    assert verdicts == [full.is_valid(r) for r in responses]
    assert True in verdicts and False in verdicts

    # JSON values (what a response parses to): floats that are whole numbers too
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.sampled_from([1.0, 0.0, -2.0]),
        st.text(max_size=5),
    )
    values = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=2)
            | st.dictionaries(st.sampled_from(["name", "entity", "start", "x"]), inner, max_size=2)
        ),
        max_leaves=4,
    )
    keys = ["name", "value", "text", "timestamp", "metadata", "data", "confidence", "policy"]
    keys += ["parse_data", "input_channel", "message_id", "action_text", "hide_rule_turn"]
    kinds = st.sampled_from([*speed.event_validators()[1], "nope"])
    event = st.dictionaries(st.sampled_from(keys), values).flatmap(
        lambda d: kinds.map(lambda k: {**d, "event": k})
    )

    @settings(max_examples=1000, deadline=None)
    @given(st.lists(event, max_size=3))
    def agrees(events: list) -> None:
        response = {"events": events}
        assert speed._valid_by_event_type(response) == full.is_valid(response)

    agrees()


def test_action_requests_are_written_as_the_same_json_json_writes() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()
    )
    finite = st.floats(allow_nan=False, allow_infinity=False)
    keys = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), finite)
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=20,
    )

    @settings(max_examples=300, deadline=None)
    @given(values)
    def same_json(value: Any) -> None:
        assert json.loads(speed.json_dumps(value)) == json.loads(json.dumps(value))

    same_json()
    assert speed.json_dumps(float("nan")) in ("NaN", json.dumps(float("nan")))


def _conversation_events() -> Any:
    """A hypothesis strategy of the events of a conversation, rewinds and restarts included."""
    from hypothesis import strategies as st
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        ActionReverted,
        ActiveLoop,
        AllSlotsReset,
        ConversationPaused,
        ConversationResumed,
        DefinePrevUserUtteredFeaturization,
        EntitiesAdded,
        FollowupAction,
        LoopInterrupted,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    user = st.builds(
        lambda intent, substance: UserUttered(
            "text",
            {"name": intent, "confidence": 0.9},
            [{"entity": "substance", "value": substance}] if substance else [],
        ),
        st.sampled_from(["greet", "ask_addiction_risk", "affirm", "ask_cost_insurance"]),
        st.sampled_from([None, "ketamine", "psilocybin"]),
    )
    action = st.sampled_from(
        ["action_listen", "action_answer", "intake_form", "utter_greet", "action_did_you_mean"]
    ).map(ActionExecuted)
    slot = st.builds(
        SlotSet,
        st.sampled_from(["substance", "region", "crisis_shown", "requested_slot"]),
        st.sampled_from([None, "ketamine", "us", True, "intake_reason"]),
    )
    others = st.sampled_from(
        [
            ActiveLoop("intake_form"),
            ActiveLoop(None),
            UserUtteranceReverted(),
            ActionReverted(),
            Restarted(),
            SessionStarted(),
            BotUttered("hi"),
            LoopInterrupted(True),
            ActionExecutionRejected("intake_form"),
            FollowupAction("action_answer"),
            ConversationPaused(),
            ConversationResumed(),
            AllSlotsReset(),
            EntitiesAdded([{"entity": "condition", "value": "ptsd"}]),
            DefinePrevUserUtteredFeaturization(True),
        ]
    )
    return st.one_of(user, action, action, slot, others)


def test_states_continue_exactly_as_rasas_replay_makes_them() -> None:
    """Growing, rewound and restarted conversations: the same states as Rasa's replay."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rasa.shared.core.domain import Domain

    domain = Domain.load(ROOT / "domain.yml")
    # (event, whether states are asked for after it): unasked, a rewind can be followed
    # by more events than were kept, with other events before them
    events = st.lists(st.tuples(_conversation_events(), st.booleans()))

    @settings(max_examples=200, deadline=None)
    @given(events, st.booleans())
    def same_states(sequence: list, omit_unset_slots: bool) -> None:
        tracker = DialogueStateTracker("someone", domain.slots)
        for event, ask in sequence:
            tracker.update(event)
            if not ask:
                continue
            ours = speed._states_for_tracker_history(domain, tracker, omit_unset_slots)
            assert ours == speed.rasa_states_for_tracker_history(domain, tracker, omit_unset_slots)
            for state in ours:  # callers edit what they get: the kept states must not change
                for sub_state in state.values():
                    sub_state.clear()
        assert copy.deepcopy(tracker).__dict__.get("_lantern_states") is None

    same_states()
    # a user message changed in place after a kept state was made from it
    changed = DialogueStateTracker("someone", domain.slots)
    changed.update(UserUttered("text", {"name": "greet", "confidence": 0.9}))
    changed.update(ActionExecuted("action_listen"))
    speed._states_for_tracker_history(domain, changed)
    changed.update(EntitiesAdded([{"entity": "condition", "value": "ptsd"}]))
    assert speed._states_for_tracker_history(
        domain, changed
    ) == speed.rasa_states_for_tracker_history(domain, changed)


def test_applied_events_continue_exactly_as_rasas_pass_makes_them() -> None:
    """Growing, rewound and restarted conversations, forms: Rasa's applied events."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActiveLoop

    domain = Domain.load(ROOT / "domain.yml")
    speed.apply()
    assert DialogueStateTracker.applied_events is speed._applied_events
    # a second form's name, and its action run before and after it is activated
    extra = st.sampled_from([ActiveLoop("other_form"), ActionExecuted("other_form")])
    events = st.lists(st.tuples(st.one_of(_conversation_events(), extra), st.booleans()))

    @settings(max_examples=300, deadline=None)
    @given(events, st.sampled_from([None, 4]))
    def same_events(sequence: list, history: int | None) -> None:
        # a capped history drops its first events: what was seen is no longer the start
        tracker = DialogueStateTracker("someone", domain.slots, history)
        for event, ask in sequence:
            tracker.update(event)
            if not ask:
                continue
            ours = speed._applied_events(tracker)
            assert ours == speed.rasa_applied_events(tracker)
            assert all(map(operator.is_, ours, speed.rasa_applied_events(tracker)))
            ours.clear()  # callers may edit what they get
        assert copy.deepcopy(tracker).__dict__.get("_lantern_applied") is None
        assert speed._applied_events(tracker) == speed.rasa_applied_events(tracker)

    same_events()
    shortened = DialogueStateTracker("someone", domain.slots)
    for event in (ActionExecuted("action_listen"), UserUttered("hi"), ActionExecuted("x")):
        shortened.update(event)
    speed._applied_events(shortened)
    shortened.events.pop()  # events taken away at the end
    assert speed._applied_events(shortened) == speed.rasa_applied_events(shortened)


def _tracker_view(tracker: DialogueStateTracker) -> Any:
    """Everything a tracker holds, its events as dicts and as positions of shared objects."""
    from rasa.shared.core.trackers import EventVerbosity

    events = list(tracker.events)

    def position(event: Any) -> Any:  # which event the tracker points at, if any
        found = next((i for i, e in enumerate(events) if e is event), None)
        return found if found is not None else (type(event).__name__, event.text)

    return (
        tracker.current_state(EventVerbosity.ALL),
        {name: (type(slot), slot.__dict__) for name, slot in tracker.slots.items()},
        type(tracker.slots),
        tracker.active_loop,
        tracker.latest_action,
        tracker.followup_action,
        tracker._paused,
        position(tracker.latest_message),
        position(tracker.latest_bot_utterance),
        tracker.model_id,
        tracker.assistant_id,
        tracker.sender_source,
        tracker.is_rule_tracker,
        tracker._max_event_history,
    )


def test_trackers_copy_as_rasas_replay_copies_them() -> None:
    """The direct copy holds what Rasa's replayed copy holds, and is as independent."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rasa.shared.core.domain import Domain

    domain = Domain.load(ROOT / "domain.yml")
    speed.apply()  # what the tracker store does when the server starts
    assert DialogueStateTracker.copy is speed._copy_tracker

    direct = []
    turn = [
        ActionExecuted("action_listen"),
        UserUttered("is it addictive?", {"name": "ask_addiction_risk", "confidence": 0.9}),
        ActionExecuted("action_answer"),
        BotUttered("an answer"),
    ]

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(_conversation_events()),
        st.booleans(),
        st.lists(_conversation_events(), max_size=6),
        st.sampled_from([None, None, None, 3]),
        st.sampled_from([True, True, True, False]),
    )
    def same_copy(
        sequence: list, answered: bool, more: list, history: int | None, domain_slots: bool
    ) -> None:
        def conversation() -> DialogueStateTracker:
            tracker = DialogueStateTracker(
                "someone", domain.slots if domain_slots else None, history
            )
            tracker.model_id, tracker.sender_source = "model", "a file"
            for event in copy.deepcopy(sequence + turn if answered else sequence):
                tracker.update(event)
            return tracker

        theirs, ours = conversation(), conversation()
        direct.append(not speed.replay_needed(ours))
        assert _tracker_view(theirs) == _tracker_view(ours)
        copies = speed.rasa_copy_tracker(theirs), speed._copy_tracker(ours)
        assert _tracker_view(copies[0]) == _tracker_view(copies[1])
        for copied in copies:  # the next turn, and edits, on the copy only
            for event in copy.deepcopy(more):
                copied.update(event)
            if copied.active_loop:
                copied.active_loop.rejected = True
            copied.latest_action["action_name"] = "edited"
            for slot in copied.slots.values():
                slot.value = "edited"
        assert _tracker_view(copies[0]) == _tracker_view(copies[1])
        assert _tracker_view(theirs) == _tracker_view(ours)

    same_copy()
    assert sum(direct) >= len(direct) // 4  # the direct copy itself was tested
    odd = DialogueStateTracker("someone", domain.slots)
    for event in turn:
        odd.update(copy.deepcopy(event))
    odd.events[1].timestamp = float("nan")  # Rasa's replay stops there
    assert _tracker_view(speed._copy_tracker(odd)) == _tracker_view(speed.rasa_copy_tracker(odd))


def test_debug_log_arguments_are_copied_only_when_debug_logs_are_kept() -> None:
    import ast
    import inspect
    import logging

    import rasa.core.policies.rule_policy
    import rasa.core.processor
    from rasa.core.policies.policy import Policy
    from rasa.utils.log_utils import configure_structlog

    # Rasa's use of `copy` and of the states' text in these modules is only ever an
    # argument of a structlog debug call (else the change would not be the same)
    for module in (rasa.core.processor, rasa.core.policies.rule_policy):
        tree = ast.parse(inspect.getsource(module))
        in_debug = {
            id(node)
            for call in ast.walk(tree)
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "structlogger.debug"
            for node in ast.walk(call)
        }
        uses = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "copy"
        ]
        assert uses and all(id(node) in in_debug for node in uses), module.__name__
    source = inspect.getsource(speed.rasa_find_action_from_rules)
    assert source.count("current_states") == 3  # formatted, then only logged: `x=copy(x)`

    speed.apply()
    events = [SlotSet("substance", "ketamine")]
    states = [{"user": {"intent": "greet"}}]
    written = []

    class Value:
        def __str__(self) -> str:
            written.append(self)
            return "a value"

    tracker = DialogueStateTracker("someone", None)
    tracker.update(SlotSet("substance", Value()))
    log_slots = rasa.core.processor.MessageProcessor._log_slots
    try:
        configure_structlog(logging.INFO)
        assert rasa.core.processor.copy.deepcopy(events) is events
        assert Policy.format_tracker_states(states) == ""
        log_slots(tracker)
        assert not written  # the slots' text was not made
        configure_structlog(logging.DEBUG)
        copied = rasa.core.processor.copy.deepcopy(events)
        assert copied == events and copied is not events
        assert "user intent: greet" in Policy.format_tracker_states(states)
        log_slots(tracker)
        assert written
    finally:
        configure_structlog(logging.WARNING)


def test_the_featurizers_make_rasas_sentence_features_and_no_sequence_features() -> None:
    from rasa.core.agent import load_agent
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer,
    )

    from lantern.nlu.featurizer import SentenceCountVectors

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    featurizers = [n._component for n in nodes if isinstance(n._component, SentenceCountVectors)]
    assert len(featurizers) == 2  # words and character n-grams
    odd = ["Ketamine KETAMINE ketamine ket ket", "café naïve İstanbul", "🙂 🙂 ?!", "x" * 300]
    token_lists = [text.lower().split() for text in TEXTS] + [t.split() for t in odd] + [[]]
    for featurizer in featurizers:
        ours = featurizer._create_features("text", token_lists)
        rasas = CountVectorsFeaturizer._create_features(featurizer, "text", token_lists)
        assert ours[0] == [None] * len(token_lists)  # no sequence features
        assert any(m is not None for m in rasas[0])
        for mine, theirs in zip(ours[1], rasas[1], strict=True):
            if theirs is None:
                assert mine is None
                continue
            assert (mine != theirs).nnz == 0 and mine.shape == theirs.shape
            assert mine.dtype == theirs.dtype and mine.format == theirs.format == "coo"


def test_rule_predictions_are_rasas_without_the_impossible_text_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.domain import Domain

    agent = asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    (policy,) = [n._component for n in nodes if isinstance(n._component, RulePolicy)]
    assert speed.text_rules_possible(policy) is False  # every rule names an intent
    texts = (*TEXTS, "I want to kill myself", "start my intake", "what about psilocybin?")

    def predictions(find: Any) -> list:
        monkeypatch.setattr(RulePolicy, "_find_action_from_rules", find)
        out = []
        for text in texts:
            parsed = asyncio.run(agent.parse_message(text))
            events = [ActionExecuted("action_listen"), UserUttered(text, parsed)]
            tracker = DialogueStateTracker.from_events("rules", events, agent.domain.slots)
            p = policy.predict_action_probabilities(tracker, agent.domain)
            out.append((list(p.probabilities), p.events, p.is_end_to_end_prediction))
        return out

    assert predictions(speed._find_action_from_rules) == predictions(
        speed.rasa_find_action_from_rules
    )
    # a rule on a message's text could match: the lookup is not skipped
    text_rule = json.dumps(
        [{"prev_action": {"action_name": "action_listen"}, "user": {"text": "hi"}}]
    )
    monkeypatch.setitem(policy.lookup["rules"], text_rule, "utter_greet")
    monkeypatch.delitem(policy.__dict__, "_lantern_text_rules")
    assert speed.text_rules_possible(policy) is True
    # and the empty-domain check answers as Rasa's
    for domain in (Domain.empty(), agent.domain):
        assert speed._is_empty(domain) == speed.rasa_is_empty(domain)
    assert speed._is_empty(Domain.empty()) and not speed._is_empty(agent.domain)


class _LogRecords(logging.Handler):
    """Every record Rasa's loggers write, as (logger, level, message)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _extraction(run: Any, tracker: DialogueStateTracker, domain: Any) -> Any:
    """What `run` (an `ActionExtractSlots.run`) gives, warns and logs for `tracker`."""
    import warnings

    from rasa.core.actions.action import ActionExtractSlots

    rasa_logger = logging.getLogger("rasa")
    level, records = rasa_logger.level, _LogRecords()
    rasa_logger.addHandler(records)
    rasa_logger.setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            coroutine = run(ActionExtractSlots(None), None, None, tracker, domain)
            try:
                coroutine.send(None)  # the fake action server answers at once
            except StopIteration as stop:
                outcome: Any = [
                    (type(e), {k: v for k, v in e.as_dict().items() if k != "timestamp"})
                    for e in stop.value
                ]
            except Exception as error:  # Rasa's own failure must be the same
                outcome = (type(error), str(error))
            else:
                raise AssertionError("the fake action server does not wait")
    finally:
        rasa_logger.removeHandler(records)
        rasa_logger.setLevel(level)
    return outcome, [(w.category, str(w.message)) for w in warned], records.records


def _fake_action_server(monkeypatch: pytest.MonkeyPatch, calls: list, moves: list) -> None:
    """Custom actions answer from here; `action_c` may change the tracker's loop meanwhile."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.exceptions import RasaException

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        calls.append((self.name(), tracker.active_loop_name, len(tracker.events)))
        if self.name() == "action_d":
            raise RasaException("the action server is down")
        if self.name() == "action_validate_slot_mappings":
            return [SlotSet("s1", None), BotUttered("checked")]
        if moves and moves[0] is not None:
            tracker.change_loop_to(moves[0])
        return [SlotSet("s0", "from c"), BotUttered("hi"), ActionExecuted("not allowed")]

    monkeypatch.setattr(RemoteAction, "run", run)


def _same_extraction(build: Any, domain: Any, calls: list) -> Any:
    """Rasa's and Lantern's extraction on copies of a tracker from `build`: what Rasa's gave."""
    rasa_tracker = build()
    our_tracker = copy.deepcopy(rasa_tracker)
    theirs = _extraction(speed.rasa_extract_slots_run, rasa_tracker, domain)
    rasa_calls = list(calls)
    calls.clear()
    ours = _extraction(speed._extract_slots, our_tracker, domain)
    assert ours == theirs
    assert calls == rasa_calls
    # slots made on demand too (repr: a slot may hold an array)
    assert repr(_tracker_view(our_tracker)) == repr(_tracker_view(rasa_tracker))
    calls.clear()
    return theirs


def _skips(tracker: DialogueStateTracker, domain: Any) -> bool:
    """Whether Lantern's extraction skips any mapping for `tracker`."""
    skipping, loop = speed._skip_state(tracker)
    plan = speed._extraction_plan(domain)
    return skipping and any(
        loops is not None and loop not in loops for _, mappings in plan for _, loops in mappings
    )


def test_slot_extraction_on_lantern_domain_is_rasas(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 36 intake mappings are skipped outside the form; events, logs and calls as Rasa's."""
    import hashlib
    import inspect

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActiveLoop
    from rasa.shared.core.slot_mappings import SlotMapping

    # the Rasa code `_extract_slots` repeats and `_skippable_loops` reasons about
    read = [
        speed.rasa_extract_slots_run,
        ActionExtractSlots._matches_mapping_conditions,
        ActionExtractSlots._verify_mapping_conditions,
        SlotMapping.intent_is_desired,
        SlotMapping._get_active_loop_ignored_intents,
        SlotMapping.check_mapping_validity,
        DialogueStateTracker.get_slot,
        DialogueStateTracker.active_loop_name.fget,
        DialogueStateTracker.is_active_loop_rejected.fget,
    ]
    source = "".join(inspect.getsource(f) for f in read).encode()
    assert hashlib.sha256(source).hexdigest() == RASA_EXTRACTION_SHA256, "re-read Rasa's code"

    speed.apply()
    assert ActionExtractSlots.run is speed._extract_slots
    domain = Domain.load(ROOT / "domain.yml")
    skippable = [
        loops for _, ms in speed._extraction_plan(domain) for _, loops in ms if loops is not None
    ]
    assert len(skippable) == 36 and set(skippable) == {frozenset({"intake_form"})}
    intake = sorted(s.name for s in domain.slots if s.name.startswith("intake_"))
    calls: list = []
    _fake_action_server(monkeypatch, calls, [])
    entities = [
        {"entity": "region", "value": "uk"},
        {"entity": "substance", "value": "ketamine"},
        {"entity": "condition", "value": "ptsd"},
    ]
    skipped, filled = [], []

    @settings(max_examples=200, deadline=None)
    @given(
        st.sampled_from([None, "intake_form", "other_form"]),
        st.booleans(),
        st.sampled_from([None, *intake[:3], "substance"]),
        st.sampled_from([None, *domain.intents]),
        st.lists(st.sampled_from(entities), max_size=2),
        st.sampled_from(["yes", "", None, "03/04/1990", "is ketamine addictive?"]),
    )
    def same(
        loop: Any, rejected: bool, requested: Any, intent: Any, found: list, text: Any
    ) -> None:
        def build() -> DialogueStateTracker:
            tracker = DialogueStateTracker("extract", domain.slots)
            tracker.update(SlotSet("requested_slot", requested))
            if loop:
                tracker.update(ActiveLoop(loop))
                tracker.active_loop.rejected = rejected  # type: ignore[union-attr]
            tracker.update(UserUttered(text, {"name": intent} if intent else {}, list(found)))
            return tracker

        outcome = _same_extraction(build, domain, calls)
        skipped.append(_skips(build(), domain))
        filled.append(bool(outcome[0]))

    same()
    assert sum(skipped) >= len(skipped) // 3 and any(filled)
    domain.slots = [s for s in domain.slots if not s.name.startswith("intake_")]
    assert all(loops is None for _, ms in speed._extraction_plan(domain) for _, loops in ms)


#: sha256 of the Rasa 3.6.21 functions `_extract_slots` and `_skippable_loops` follow
RASA_EXTRACTION_SHA256 = "14defdb666074103449ab856d91206662118a818dbbafdfbae0bc753f7d2053f"


def _domain_with(slots: list, validate: bool, required: list) -> Any:
    """A small domain: slots s0.. with the given (type, mappings), two forms, custom actions."""
    import warnings

    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Domain.from_dict(
            {
                "version": "3.1",
                "intents": ["greet", "inform", "stop"],
                "entities": ["thing", {"place": {"roles": ["from", "to"]}}],
                "slots": {
                    f"s{i}": {"type": kind, "mappings": mappings}
                    for i, (kind, mappings) in enumerate(slots)
                },
                "forms": {
                    "form_a": {"required_slots": required, "ignored_intents": ["stop"]},
                    "form_b": {"required_slots": []},
                },
                "actions": ["action_c", "action_d"]
                + (["action_validate_slot_mappings"] if validate else []),
            }
        )


def _slot_mappings() -> Any:
    """A hypothesis strategy of slot mappings of every type, odd ones included."""
    from hypothesis import strategies as st

    # mostly conditions that name a loop, some that name none or are not dicts
    conditions = [
        {"active_loop": "form_a"},
        {"active_loop": "form_b"},
        {"active_loop": "never_active"},
        {"active_loop": "form_a", "requested_slot": "s0"},
        {"active_loop": "form_b", "requested_slot": None},
        {"active_loop": None},
        {"active_loop": ""},
        {"requested_slot": "s1"},
        "form_a",
    ]
    condition = st.sampled_from(conditions[:5] * 3 + conditions[5:])

    def mapping(
        kind: str, conditions: Any, intent: Any, not_intent: Any, entity: str, other: Any
    ) -> Dict[str, Any]:
        made: Dict[str, Any] = {"type": kind}
        if kind == "from_entity":
            made["entity"] = entity
            if other:
                made["role"] = "from"
        elif kind in ("from_intent", "from_trigger_intent"):
            made["value"] = other if other is not None else "chosen"
        elif kind == "custom" and other:
            made["action"] = "action_d" if other is True else "action_c"
        for key, value in (("intent", intent), ("not_intent", not_intent)):
            if value is not None:
                made[key] = value
        if conditions is not None:
            made["conditions"] = conditions
        return made

    return st.builds(
        mapping,
        st.sampled_from(
            ["from_text", "from_entity", "from_intent", "from_trigger_intent", "custom"]
        ),
        st.one_of(st.sampled_from([None, []]), st.lists(condition, min_size=1, max_size=3)),
        st.sampled_from([None, "greet", ["greet", "inform"], "unknown", [], [""]]),
        st.sampled_from([None, None, ["stop"], "greet", [], [["unhashable"]]]),
        st.sampled_from(["thing", "place", "nope"]),
        st.sampled_from([None, True, 0, "v"]),
    )


def test_slot_extraction_on_small_domains_is_rasas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any mappings, loops, requested slots, messages and action answers: Rasa's result."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rasa.shared.core.events import ActiveLoop

    speed.apply()
    calls: list = []
    moves: list = [None]
    _fake_action_server(monkeypatch, calls, moves)
    absent = object()
    entity = st.fixed_dictionaries(
        {
            "entity": st.sampled_from(["thing", "place", "nope"]),
            "value": st.sampled_from(["v", None]),
        },
        optional={"role": st.just("from")},
    )
    message = st.one_of(
        st.none(),
        st.builds(
            lambda text, name, found: UserUttered(text, {"name": name} if name else {}, found),
            st.sampled_from(["hello", "", None]),
            st.sampled_from([None, "greet", "inform", "stop", ("odd",), ["unhashable"]]),
            st.lists(entity, max_size=2),
        ),
    )
    kinds, seen = st.sampled_from(["any", "text", "list"]), []

    @settings(max_examples=400, deadline=None)
    @given(
        st.lists(
            st.tuples(kinds, st.lists(_slot_mappings(), min_size=1, max_size=3)),
            min_size=1,
            max_size=4,
        ),
        st.booleans(),
        st.lists(st.sampled_from(["s0", "s1", "s2"]), unique=True),
        st.sampled_from(["domain", "no requested_slot", "any"]),
        st.sampled_from([None, "form_a", "form_b", "", "never_active", "should_not_be_set"]),
        st.booleans(),
        st.sampled_from([absent, None, "s0", "s1", 3, ["s0"], np.array(["s0", "s1"])]),
        st.sampled_from([absent, "before", None]),
        message,
        st.sampled_from([None, "form_a", "form_b"]),
    )
    def same(
        slots: list,
        validate: bool,
        required: list,
        slot_kinds: str,
        loop: Any,
        rejected: bool,
        requested: Any,
        before: Any,
        latest: Any,
        moved: Any,
    ) -> None:
        domain = _domain_with(slots, validate, [r for r in required if int(r[1]) < len(slots)])
        moves[0] = moved

        def build() -> DialogueStateTracker:
            slots = {
                "domain": domain.slots,
                "no requested_slot": [s for s in domain.slots if s.name != "requested_slot"],
                "any": None,  # Rasa's AnySlotDict: every slot exists, made when read
            }[slot_kinds]
            tracker = DialogueStateTracker("extract", slots)
            if before is not absent:
                tracker.update(SlotSet("s0", before))
            if requested is not absent:
                tracker.update(SlotSet("requested_slot", requested))
            if loop is not None:
                tracker.update(ActiveLoop(loop))
                tracker.active_loop.rejected = rejected  # type: ignore[union-attr]
            if latest is not None:
                tracker.update(copy.deepcopy(latest))
            return tracker

        outcome, warned, logged = _same_extraction(build, domain, calls)
        seen.append((_skips(build(), domain), type(outcome), bool(warned), bool(logged)))

    same()
    assert sum(s[0] for s in seen) >= len(seen) // 10  # the skip itself was tested (~20%)
    assert {s[1] for s in seen} == {list, tuple}  # events, and Rasa's errors
    assert any(s[2] for s in seen) and any(s[3] for s in seen)

    # the loop changes while a custom action runs: the mappings after it see the new one
    moves[0] = "form_a"
    text_in_form = {"type": "from_text", "conditions": [{"active_loop": "form_a"}]}
    domain = _domain_with(
        [("any", [{"type": "custom", "action": "action_c"}]), ("any", [text_in_form])], False, []
    )

    def greeted() -> DialogueStateTracker:
        tracker = DialogueStateTracker("extract", domain.slots)
        tracker.update(UserUttered("hello", {"name": "greet"}))
        return tracker

    outcome, _, _ = _same_extraction(greeted, domain, calls)
    assert [(d["name"], d["value"]) for t, d in outcome if t is SlotSet] == [
        ("s0", "from c"),
        ("s1", "hello"),
    ]


def test_slot_extraction_leaves_to_rasa_what_could_fill_fail_log_or_warn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Conditions that can match, and each case where Rasa's checks of a mapping have an effect."""
    from rasa.shared.core.events import ActiveLoop

    speed.apply()
    calls: list = []
    _fake_action_server(monkeypatch, calls, [])
    in_form_a = {"type": "from_text", "conditions": [{"active_loop": "form_a"}]}

    def case(mapping: Dict[str, Any], slots: str, requested: Any, intent: Any) -> Any:
        """Rasa's outcome, warnings and logs (Lantern's are the same) with form_b rejected."""
        domain = _domain_with([("any", [mapping])], False, [])
        kept = {"domain": domain.slots, "any": None}
        kept["no requested_slot"] = [s for s in domain.slots if s.name != "requested_slot"]

        def build() -> DialogueStateTracker:
            tracker = DialogueStateTracker("extract", kept[slots])
            if requested is not None:
                tracker.update(SlotSet("requested_slot", requested))
            tracker.update(ActiveLoop("form_b"))
            tracker.active_loop.rejected = True  # type: ignore[union-attr]
            tracker.update(UserUttered("hello", intent if isinstance(intent, dict) else None))
            if not isinstance(intent, dict):  # changed later: UserUttered reads it when made
                tracker.latest_message.intent = intent  # type: ignore[union-attr]
            return tracker

        found = _same_extraction(build, domain, calls)
        rasa_tracker = build()
        _extraction(speed.rasa_extract_slots_run, rasa_tracker, domain)
        return (*found, dict.__contains__(rasa_tracker.slots, "requested_slot"))

    greet = {"name": "greet"}
    # conditions that match with no loop active (none, or one naming no loop): filled
    for conditions in ([], [{"active_loop": None}], [{}, {"active_loop": "form_a"}]):
        domain = _domain_with([("any", [{**in_form_a, "conditions": conditions}])], False, [])

        def no_loop(domain: Any = domain) -> DialogueStateTracker:
            tracker = DialogueStateTracker("extract", domain.slots)
            tracker.update(UserUttered("hello", greet))
            return tracker

        outcome = _same_extraction(no_loop, domain, calls)[0]
        assert [(d["name"], d["value"]) for t, d in outcome if t is SlotSet] == [("s0", "hello")]
    # skipped: nothing happens, whatever the requested slot
    validating = [("rasa.core.actions.action", logging.DEBUG, "Validating extracted slots: ")]
    assert case(in_form_a, "domain", "s0", greet)[:3] == ([], [], validating)
    # the requested slot is read, and missing: logged; made by an AnySlotDict
    _, _, logged, _ = case(in_form_a, "no requested_slot", None, greet)
    assert any("non existent slot 'requested_slot'" in r[2] for r in logged)
    assert case(in_form_a, "any", None, greet)[3] is True
    assert case({**in_form_a, "not_intent": "greet"}, "any", None, greet)[3] is False  # unread
    # Rasa's checks fail: the requested slot's value, the latest intent, the mapping
    assert case(in_form_a, "domain", np.array(["s0", "s1"]), greet)[0][0] is ValueError
    assert case(in_form_a, "domain", "s0", {"name": ["a", "list"]})[0][0] is TypeError
    assert case(in_form_a, "domain", "s0", "greet")[0][0] is AttributeError  # not a dict
    odd = {**in_form_a, "not_intent": [["a", "list"]]}
    assert case(odd, "domain", "s0", greet)[0][0] is TypeError
    odd = {**in_form_a, "conditions": [{"active_loop": "form_a"}, "form_a"]}
    assert case(odd, "domain", "s0", greet)[0][0] is AttributeError
    # an invalid mapping warns
    odd = {**in_form_a, "type": "from_entity", "entity": "nope"}
    assert "non-existent entity 'nope'" in str(case(odd, "domain", "s0", greet)[1])
    odd = {**in_form_a, "type": "from_intent", "intent": "nope", "value": 1}
    assert "non-existent intent 'nope'" in str(case(odd, "domain", "s0", greet)[1])
