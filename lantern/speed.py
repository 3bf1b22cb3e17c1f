"""Speed-ups inside Rasa 3.6 that the benchmark's profile found (`make bench`).

Each one leaves behaviour unchanged; tests/scale/test_speed.py checks that.
`apply()` makes the changes to Rasa's classes; Lantern's tracker store calls it
(lantern/stores.py) and gives itself `fast_sqlite`.

- `cache_action_response_validator`: Rasa checks every action server response
  against a JSON schema with `jsonschema.validate`, which first re-validates the
  schema itself against its meta-schema: about a third of Rasa's CPU per message.
  The validator is now built once; the same errors are raised. A valid
  response is accepted by checking each event against the one event schema
  its `event` names (the schema's `oneOf` of 23, which all differ in that
  constant, accepts exactly that); anything else is judged by the full schema.
  Those per-event checks are compiled to Python code by fastjsonschema
  (134 -> 7 µs per response); for JSON values, which a response is, they
  accept exactly what jsonschema accepts (tests compare them).
- `cache_event_types`: loading a conversation finds each event's class by
  walking every subclass of `Event`, for every event; found classes are now
  remembered.
- `fast_sqlite`: the SQLite tracker store opened a new connection for every
  read and write (SQLAlchemy 1.4 pools nothing for SQLite files) and waited for
  a disk sync on every commit. It now keeps connections in a pool (handing out
  the one used last, whose page cache is warm) and writes
  ahead (`journal_mode=WAL`, `synchronous=NORMAL`): a commit is durable once the
  log is synced at a checkpoint, and a crash can lose at most the last turns,
  never corrupt the file.
- `cache_rule_matches`: for each prediction the RulePolicy tests every rule
  against the conversation's states; the rules that match are now remembered
  per policy, keyed by the last states, as many as the longest rule has (every
  rule is applicable further back than its own length, so those states are
  the whole input of that test; the rules do not change after loading).
- `skip_impossible_text_rules`: after each message the RulePolicy first looks
  for a rule on the message's text (end-to-end rules) and rebuilds every state
  of the conversation to do so. When no rule can match a message by its text
  (each rule after a user turn names an intent) and no form is active, that
  lookup cannot find anything; it is skipped. With a form active it runs, as
  it can mark the form as interrupted.
- `continue_states`: each prediction turns the whole conversation into a list
  of states, one per action, by replaying every event on a fresh tracker
  (about a tenth of the server's time). A state depends only on the events
  before it, so each tracker now keeps the states it had and the replay where
  it stopped, and replays only the events added since. When the events before
  that point are no longer the same (a rewind, a restart), or a new event
  changed a user message a kept state was made from, it starts again.
  Callers get their own copies (they edit them).
- `continue_applied_events`: the events that count (restarts, rewinds and form
  repeats taken out) are worked out from the first event on, several times per
  message, with an abstract-class check per event. Rasa works them out in one
  pass that carries a list from event to event, given the names of the forms
  the conversation ever activated; each tracker now keeps where that pass got
  to and carries on from there, and starts again when the events before that
  point are no longer the same or a new form name appears.
- `copy_only_logged_arguments`: Rasa's processor deep-copies the events of
  every action, and the RulePolicy formats and deep-copies every state list,
  only to pass them to debug log calls, which drop them unless the log level
  is DEBUG; after each action it also writes out every slot's value for one.
  They are now copied and formatted only when debug logs are kept.
- `cache_empty_domain`: Rasa checks every parsed message against the domain
  only if the domain is not empty, and to know, builds an empty domain each
  time; the empty domain's contents are now built once.
- `run_graphs_in_order`: Rasa runs the model's graph (NLU for each message,
  policies for each action) through dask, which rebuilds and re-orders the task
  graph on every run: a tenth of the server's time. The nodes a set of targets
  needs are now ordered once and called in that order, each once, with the
  same inputs and outputs as under dask.
- `copy_slots_directly`: each policy prediction rebuilds the conversation turn
  by turn from a fresh tracker, which copies every slot (42) with `copy.copy`'s
  generic protocol. Slots are plain objects; a copy is now a new instance with
  a copy of the attributes, which is what the generic protocol makes of them.
- `copy_trackers_directly`: before running each action, Rasa copies the
  conversation's tracker by building a fresh one (copying all 42 slots) and
  replaying every event on it. A tracker's state is, by Rasa's own rule, what
  its events make, so the copy now takes that state directly: the same events,
  copies of the slots and of the active loop, and what the replay shares with
  the events (the latest message and bot utterance) shared likewise. Trackers
  whose replay could differ (a capped event history, a latest message that is
  not the last user event) are still replayed.
- `keep_action_connections`: Rasa opened a new HTTP client session, so a new
  name lookup and TCP connection, for every action server call. Each endpoint
  now keeps one session per event loop and lends it; idle connections are
  closed after `KEEPALIVE_S`, before the action server (Sanic, 5 s) would close
  them itself, so a request never goes out on a connection being closed. A
  restarted action server gets new connections. The session writes request
  bodies (the whole conversation, 20 KB and growing) with ujson, a Rasa
  dependency: the same JSON in less than half json's time; whatever ujson
  refuses (integers beyond 64 bits) is written by json.
- `skip_unfillable_mappings`: after every user message `action_extract_slots`
  walks every mapping of every slot through Rasa's generic checks (about 5% of
  the server's CPU). 36 of the 42 slots are the intake form's, whose mappings
  are conditioned on `intake_form` being active: outside the form none can fill.
  A mapping whose conditions all name active loops other than the tracker's is
  now skipped before those checks (`_skippable_loops` says why that is Rasa's
  result); the others run through Rasa's own code, in Rasa's order. Outside the
  form: 105 -> 28 us per message in a microbenchmark (in the form: unchanged).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import logging
import operator
from collections import deque
from itertools import islice
from typing import Any, Callable, Dict, FrozenSet, List, Sequence, Set, Tuple

import aiohttp
import fastjsonschema
import rasa.core.policies.rule_policy
import rasa.core.processor
import sqlalchemy as sa
import structlog
import ujson
from jsonschema import exceptions, validators
from rasa.core.actions.action import (
    ActionExtractSlots,
    RemoteAction,
    extract_slot_value_from_predefined_mapping,
)
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DEFAULT_SENDER_ID, DOCS_BASE_URL
from rasa.shared.core.constants import (
    ACTIVE_LOOP,
    DEFAULT_SLOT_NAMES,
    MAPPING_CONDITIONS,
    MAPPING_TYPE,
    REQUESTED_SLOT,
    SlotMappingType,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slot_mappings import SlotMapping
from rasa.shared.core.slots import ListSlot, Slot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE, INTENT, INTENT_NAME_KEY, NOT_INTENT
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

#: Rasa's own functions, kept for unknown cases and for the tests' comparisons
rasa_validate_action_result = RemoteAction._validate_action_result
rasa_resolve_by_type = Event.resolve_by_type
rasa_get_possible_keys = RulePolicy._get_possible_keys
rasa_find_action_from_rules = RulePolicy._find_action_from_rules
rasa_is_empty = Domain.is_empty
rasa_graph_run = DaskGraphRunner.run
rasa_session = EndpointConfig.session
rasa_states_for_tracker_history = Domain.states_for_tracker_history
rasa_applied_events = DialogueStateTracker.applied_events
rasa_format_tracker_states = Policy.format_tracker_states
rasa_log_slots = MessageProcessor._log_slots
rasa_extract_slots_run = ActionExtractSlots.run

#: state sequences a RulePolicy remembers the matching rules of (then it starts again)
RULE_MATCHES_KEPT = 4096
#: seconds an idle action server connection is kept (the action server's Sanic: 5)
KEEPALIVE_S = 2.0
#: connections the SQLite pool keeps open (the server uses one at a time, plus purges)
SQLITE_POOL_SIZE = 2


@functools.lru_cache(maxsize=1)
def action_response_validator() -> Any:
    """The validator for Rasa's action response schema, checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _compiled_check(schema: Dict[str, Any]) -> Callable[[Any], bool]:
    """Whether a value is valid under `schema`, by fastjsonschema's compiled code.

    Anything but a clear pass counts as invalid: the full jsonschema check decides then.
    """
    validate = fastjsonschema.compile(schema)

    def check(value: Any) -> bool:
        try:
            validate(value)
        except Exception:  # noqa: BLE001 - the full check judges (and explains)
            return False
        return True

    return check


@functools.lru_cache(maxsize=1)
def event_validators() -> Tuple[Callable[[Any], bool], Dict[str, Callable[[Any], bool]]]:
    """The response schema without its event items, and one check per event type.

    An event is valid under the schema's `oneOf` exactly when it is valid under
    the branch whose `event` constant it names: the others require another constant.
    """
    schema = RemoteAction.action_response_format_spec()
    items = dict(schema["properties"]["events"]["items"])
    branches = items.pop("oneOf")
    constants = [b["properties"]["event"]["const"] for b in branches]
    assert len(set(constants)) == len(branches), "event schemas must differ in `event`"
    outer = copy.deepcopy(schema)
    del outer["properties"]["events"]["items"]
    per_type = {
        c: _compiled_check({"allOf": [items, b]}) for c, b in zip(constants, branches, strict=True)
    }
    return _compiled_check(outer), per_type


def _valid_by_event_type(result: Dict[str, Any]) -> bool:
    """True only if the full response schema accepts `result` (see `event_validators`)."""
    outer, per_type = event_validators()
    if not outer(result):
        return False
    for event in result.get("events") or []:
        kind = event.get("event") if isinstance(event, dict) else None
        check = per_type.get(kind) if isinstance(kind, str) else None
        if check is None or not check(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` with cached, per-event-type validators."""
    if isinstance(result, dict) and _valid_by_event_type(result):
        return True
    error = exceptions.best_match(action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def cache_action_response_validator() -> None:
    """Make Rasa validate action responses with a validator built once."""
    RemoteAction._validate_action_result = _validate_action_result


_EVENT_TYPES: Dict[str, Any] = {}


def resolve_by_type(type_name: str, default: Any = None) -> Any:
    """`Event.resolve_by_type`, remembering the classes it found."""
    found = _EVENT_TYPES.get(type_name)
    if found is not None:
        return found
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            _EVENT_TYPES[type_name] = cls
            return cls
    return rasa_resolve_by_type(type_name, default)  # unknown: None, default or ValueError


def cache_event_types() -> None:
    """Make Rasa remember which class each event type name is."""
    Event.resolve_by_type = staticmethod(resolve_by_type)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def fast_sqlite(store: SQLTrackerStore) -> None:
    """Give an SQLite tracker store pooled, write-ahead connections (others unchanged)."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    store.engine.dispose()
    store.engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=SQLITE_POOL_SIZE,
        # the most recently used connection first: the server uses one at a time,
        # and that one's page cache is warm
        pool_use_lifo=True,
        # the retention purge runs in a worker thread; the pool hands a connection
        # to one user at a time
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(store.engine, "connect", _sqlite_pragmas)
    store.sessionmaker = sa.orm.session.sessionmaker(bind=store.engine)


def _longest_rule(self: RulePolicy, lookup: Dict[str, str]) -> int:
    """How many states the longest rule in `lookup` has (remembered per lookup)."""
    lengths = self.__dict__.setdefault("_lantern_rule_lengths", {})
    known = lengths.get(id(lookup))
    if known is None or known[0] is not lookup:
        known = lengths[id(lookup)] = (lookup, max(map(len, map(json.loads, lookup)), default=0))
    return known[1]


def _get_possible_keys(
    self: RulePolicy, lookup: Dict[str, str], states: List[Dict[str, Any]]
) -> Set[str]:
    """`RulePolicy._get_possible_keys`, remembered per lookup and recent states.

    Rasa tests each rule against the states from the last one back; a rule is
    applicable at every state further back than its length, so only the last
    states, as many as the longest rule has, decide.
    """
    recent = states[-_longest_rule(self, lookup) :] if lookup else []
    try:
        key = (id(lookup), json.dumps(recent, sort_keys=True))
    except TypeError:  # a state value JSON can't write: not remembered
        return rasa_get_possible_keys(self, lookup, states)
    remembered = self.__dict__.setdefault("_lantern_rule_matches", {})
    found = remembered.get(key)
    if found is None:
        if len(remembered) >= RULE_MATCHES_KEPT:
            remembered.clear()
        found = remembered[key] = frozenset(rasa_get_possible_keys(self, lookup, states))
    return set(found)


def cache_rule_matches() -> None:
    """Make Rasa's RulePolicy remember which rules match a sequence of states."""
    RulePolicy._get_possible_keys = _get_possible_keys


def _order(
    runner: DaskGraphRunner, targets: Tuple[str, ...], given: frozenset
) -> List[Tuple[str, Sequence[str]]]:
    """The nodes `targets` need (inputs in `given` stand in for nodes), dependencies first."""
    nodes = runner._graph_schema.nodes
    ordered: List[Tuple[str, Sequence[str]]] = []
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
    return ordered


def _run_in_order(
    self: DaskGraphRunner,
    inputs: Dict[str, Any] | None = None,
    targets: List[str] | None = None,
) -> Dict[str, Any]:
    """`DaskGraphRunner.run` without dask: each needed node once, dependencies first."""
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    inputs = inputs or {}
    if any(isinstance(v, str) and v in self._graph_schema.nodes for v in inputs.values()):
        return rasa_graph_run(self, inputs, targets)  # Rasa's error for the clash
    orders = self.__dict__.setdefault("_lantern_orders", {})
    key = (run_targets, frozenset(inputs))
    if key not in orders:
        orders[key] = _order(self, run_targets, frozenset(inputs))
    # an input stands for a node's output: (name, value), as under dask
    values: Dict[str, Any] = {name: (name, value) for name, value in inputs.items()}
    try:
        for name, needs in orders[key]:
            values[name] = self._instantiated_nodes[name](*(values.get(n, n) for n in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(values[target] for target in run_targets)  # each is (name, output)


def run_graphs_in_order() -> None:
    """Make Rasa run its model graphs without dask (same nodes, same results)."""
    DaskGraphRunner.run = _run_in_order


def _copy_slot(slot: Slot) -> Slot:
    """A shallow copy of a slot: a new instance with the same attribute values."""
    copied = object.__new__(type(slot))
    copied.__dict__.update(slot.__dict__)
    return copied


def copy_slots_directly() -> None:
    """Make `copy.copy` of a Rasa slot skip the generic reduce protocol."""
    Slot.__copy__ = _copy_slot


rasa_copy_tracker = DialogueStateTracker.copy
_FOREVER = float("inf")  # the time Rasa's copy replays up to


def _last(events: Sequence[Event], kind: type) -> Event | None:
    """The most recent event of `kind`, if any."""
    return next((e for e in reversed(events) if isinstance(e, kind)), None)


def replay_needed(tracker: DialogueStateTracker) -> bool:
    """Whether a copy of `tracker` could differ from its state taken directly."""
    events = tracker.events
    return (
        type(tracker) is not DialogueStateTracker
        or tracker._max_event_history is not None  # the replay sees only the kept events
        # an empty latest message: events can add to it, the copy needs its own
        or tracker.latest_message is not _last(events, UserUttered)
        or not all(e.timestamp <= _FOREVER for e in events)  # the replay stops at NaN
    )


def _copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """`tracker.copy()`: the state Rasa's replay of the events would make, taken directly."""
    if replay_needed(tracker):
        return rasa_copy_tracker(tracker)
    copied = object.__new__(DialogueStateTracker)
    copied.__dict__.update(
        _max_event_history=None,
        events=deque(tracker.events),
        sender_id=tracker.sender_id or DEFAULT_SENDER_ID,
        slots={slot.name: _copy_slot(slot) for slot in tracker.slots.values()},
        sender_source=None,  # what Rasa's copy keeps of the tracker itself
        is_rule_tracker=tracker.is_rule_tracker,
        _paused=tracker._paused,
        followup_action=tracker.followup_action,
        latest_action=dict(tracker.latest_action),
        latest_message=tracker.latest_message,
        latest_bot_utterance=tracker.latest_bot_utterance,
        active_loop=copy.copy(tracker.active_loop),
        model_id=None,
        assistant_id=None,
    )
    return copied


def copy_trackers_directly() -> None:
    """Make `DialogueStateTracker.copy` take the state instead of replaying the events."""
    DialogueStateTracker.copy = _copy_tracker


class _Lent:
    """`async with` gives the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc: Any) -> None:
        return None


def json_dumps(value: Any) -> str:
    """JSON text of `value`: ujson's, or json's for what ujson refuses.

    It reads back as json's does, but for dictionary keys that are infinite or
    NaN floats ("inf" for json's "Infinity"); a conversation's data comes from
    JSON, whose keys are strings.
    """
    try:
        return ujson.dumps(value)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value)


def _session(self: EndpointConfig) -> Any:
    """`EndpointConfig.session`, one kept per endpoint and event loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not in a coroutine: Rasa's own, closed by its caller
        return rasa_session(self)
    kept = self.__dict__.get("_lantern_session")
    if kept is None or kept.closed or kept._loop is not loop:
        fresh = rasa_session(self)  # Rasa's headers, authentication and timeout
        kept = aiohttp.ClientSession(
            headers=fresh.headers,
            auth=fresh.auth,
            timeout=fresh.timeout,
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            json_serialize=json_dumps,
        )
        loop.create_task(fresh.close())
        self.__dict__["_lantern_session"] = kept
    return _Lent(kept)


def keep_action_connections() -> None:
    """Make Rasa's endpoints keep their HTTP client session between requests."""
    EndpointConfig.session = _session


def text_rules_possible(policy: RulePolicy) -> bool:
    """Whether some rule could match a conversation whose last user turn has no intent.

    The text lookup runs right after a user message: the last state has
    `action_listen` as previous action and the message's text, not its intent.
    A rule whose last state names an intent, or another previous action, can't match.
    """
    known = policy.__dict__.get("_lantern_text_rules")
    if known is None:
        known = False
        for key in policy.lookup.get("rules", {}):
            last = json.loads(key)[-1]
            previous = (last.get("prev_action") or {}).get("action_name")
            if previous not in (None, "action_listen"):
                continue
            if not (last.get("user") or {}).get("intent"):
                known = True
                break
        policy.__dict__["_lantern_text_rules"] = known
    return known


def _find_action_from_rules(
    self: RulePolicy, tracker: Any, domain: Any, use_text_for_last_user_input: bool
) -> Tuple[str | None, str | None, bool]:
    """`RulePolicy._find_action_from_rules`, without a text lookup that can't match."""
    if (
        use_text_for_last_user_input
        and not tracker.active_loop_name
        and not text_rules_possible(self)
    ):
        return None, None, False  # what Rasa's _predict reads of a lookup that found none
    return rasa_find_action_from_rules(self, tracker, domain, use_text_for_last_user_input)


def skip_impossible_text_rules() -> None:
    """Make Rasa's RulePolicy skip text lookups that no rule can answer."""
    RulePolicy._find_action_from_rules = _find_action_from_rules


@functools.lru_cache(maxsize=1)
def _empty_domain() -> Dict[str, Any]:
    return Domain.empty().as_dict()


def _is_empty(self: Domain) -> bool:
    """`Domain.is_empty` against an empty domain built once."""
    return self.as_dict() == _empty_domain()


def cache_empty_domain() -> None:
    """Make `Domain.is_empty` compare with an empty domain built once."""
    Domain.is_empty = _is_empty


#: events that change the latest user message in place (its entities, its featurization)
_IN_PLACE = (EntitiesAdded, DefinePrevUserUtteredFeaturization)


def _begins_with(events: Sequence[Event], start: Sequence[Event]) -> bool:
    """Whether `events` begin with the very event objects of `start`."""
    return len(events) >= len(start) and all(map(operator.is_, start, events))


class _States:
    """The states of a tracker's history so far, and the replay they came from."""

    def __init__(self, domain: Domain, omit_unset_slots: bool, tracker: Any) -> None:
        self.domain = domain
        self.omit_unset_slots = omit_unset_slots
        self.replay = tracker.init_copy()
        self.events: List[Event] = []  # the applied events replayed so far
        self.states: List[Dict[str, Any]] = []  # one before each action among them
        # the user messages those states were made from (kept alive: ids stay unique)
        self.stated: Dict[int, Event] = {}

    def __deepcopy__(self, memo: Dict[int, Any]) -> None:
        """A copied tracker starts its own (not a copy of the domain and replay)."""
        return None

    def __reduce__(self) -> Tuple[Any, Tuple[()]]:
        """A pickled tracker does not carry them either."""
        return (type(None), ())

    def fits(self, domain: Domain, omit_unset_slots: bool, applied: List[Event]) -> bool:
        """Whether these states are the start of `applied`'s, for this domain."""
        return (
            domain is self.domain
            and omit_unset_slots == self.omit_unset_slots
            and _begins_with(applied, self.events)
            and not self._restated(applied[len(self.events) :])
        )

    def _restated(self, new: List[Event]) -> bool:
        """Whether a new event changed a user message these states were made from.

        Two events change the latest user message in place, and had changed it
        before these states are extended: a replay now would see the change.
        """
        for event in new:
            if isinstance(event, UserUttered):
                return False  # what follows changes this new message
            if isinstance(event, _IN_PLACE) and id(self.replay.latest_message) in self.stated:
                return True
        return False

    def extend(self, applied: List[Event]) -> None:
        """Replay the events after those seen, as `generate_all_prior_trackers` does."""
        for event in applied[len(self.events) :]:
            if isinstance(event, ActionExecuted):
                self.states.append(self._state())
                message = self.replay.latest_message
                self.stated[id(message)] = message
            self.replay.update(event)
            self.events.append(event)

    def _state(self) -> Dict[str, Any]:
        state = self.domain.get_active_state(self.replay, omit_unset_slots=self.omit_unset_slots)
        return self.domain._clean_state(state)

    def all(self) -> List[Dict[str, Any]]:
        """Copies of the states, and the state after the last event."""
        return [
            {kind: dict(sub) for kind, sub in state.items()}
            for state in [*self.states, self._state()]
        ]


def _states_for_tracker_history(
    self: Domain,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Dict[str, Any] | None = None,
) -> List[Dict[str, Any]]:
    """`Domain.states_for_tracker_history`, continued from the tracker's last call."""
    if ignore_rule_only_turns or type(tracker) is not DialogueStateTracker:
        return rasa_states_for_tracker_history(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    applied = tracker.applied_events()
    kept = tracker.__dict__.get("_lantern_states")
    if kept is None or not kept.fits(self, omit_unset_slots, applied):
        kept = _States(self, omit_unset_slots, tracker)
        tracker.__dict__["_lantern_states"] = kept
    kept.extend(applied)
    return kept.all()


def continue_states() -> None:
    """Make each tracker keep its states and replay only new events for the next ones."""
    Domain.states_for_tracker_history = _states_for_tracker_history


class _Applied:
    """Rasa's pass over a tracker's events for `applied_events`, as far as it got."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.loop_names = {e.name for e in events if isinstance(e, ActiveLoop) and e.name}
        self.seen: List[Event] = []
        self.applied: List[Event] = []

    def __deepcopy__(self, memo: Dict[int, Any]) -> None:
        """A copied tracker starts its own."""
        return None

    def __reduce__(self) -> Tuple[Any, Tuple[()]]:
        """A pickled tracker does not carry it either."""
        return (type(None), ())

    def fits(self, events: Sequence[Event], new: List[Event]) -> bool:
        """Whether `events` begin with those seen, and `new` activates no other form."""
        return _begins_with(events, self.seen) and all(
            e.name in self.loop_names for e in new if isinstance(e, ActiveLoop) and e.name
        )

    def extend(self, tracker: DialogueStateTracker, new: List[Event]) -> None:
        """Rasa's pass (`DialogueStateTracker.applied_events`) over the events in `new`."""
        applied = self.applied
        for event in new:
            if isinstance(event, (Restarted, SessionStarted)):
                applied.clear()
            elif isinstance(event, ActionReverted):
                tracker._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                tracker._undo_till_previous(UserUttered, applied)
                tracker._undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.action_name in self.loop_names
                and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                tracker._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        self.seen.extend(new)


def _applied_events(self: DialogueStateTracker) -> List[Event]:
    """`DialogueStateTracker.applied_events`, continued from the tracker's last call."""
    if type(self) is not DialogueStateTracker:
        return rasa_applied_events(self)
    events = self.events
    kept = self.__dict__.get("_lantern_applied")
    new = list(islice(events, len(kept.seen), None)) if kept is not None else []
    if kept is None or not kept.fits(events, new):
        kept = self.__dict__["_lantern_applied"] = _Applied(events)
        new = list(events)
    kept.extend(self, new)
    return list(kept.applied)


def continue_applied_events() -> None:
    """Make each tracker carry on Rasa's pass for `applied_events` from where it got to."""
    DialogueStateTracker.applied_events = _applied_events


def debug_logged() -> bool:
    """Whether Rasa's structured debug log calls are kept (log level DEBUG)."""
    filtering = structlog.get_config()["wrapper_class"]
    dropped = structlog.make_filtering_bound_logger(logging.CRITICAL).debug
    return getattr(filtering, "debug", None) is not dropped


class CopyWhenLogged:
    """The `copy` module for Rasa modules that deep-copy only for debug log calls."""

    @staticmethod
    def deepcopy(value: Any, memo: Dict[int, Any] | None = None) -> Any:
        """A deep copy if debug logs are kept, else `value` (the log call drops it)."""
        return copy.deepcopy(value, memo) if debug_logged() else value


def _format_tracker_states(states: List[Dict]) -> str:
    """`Policy.format_tracker_states` (a debug log's text), only if debug logs are kept."""
    return rasa_format_tracker_states(states) if debug_logged() else ""


def _log_slots(tracker: DialogueStateTracker) -> None:
    """`MessageProcessor._log_slots` (a debug log of every slot), only if debug logs are kept."""
    if debug_logged():
        rasa_log_slots(tracker)


def copy_only_logged_arguments() -> None:
    """Copy and format debug log arguments only when debug logs are kept."""
    MessageProcessor._log_slots = staticmethod(_log_slots)
    rasa.core.processor.copy = CopyWhenLogged
    rasa.core.policies.rule_policy.copy = CopyWhenLogged
    Policy.format_tracker_states = staticmethod(_format_tracker_states)


#: domains whose extraction plan is kept (then they start again)
EXTRACTION_PLANS_KEPT = 8
#: mapping types whose conditions Rasa checks (not for `from_trigger_intent`)
_CONDITIONED_TYPES = frozenset(
    str(t) for t in SlotMappingType if t is not SlotMappingType.FROM_TRIGGER_INTENT
)
#: the user slots, each with its mappings and their `_skippable_loops`
_Plan = List[Tuple[Slot, List[Tuple[Any, FrozenSet[str] | None]]]]
_EXTRACTION_PLANS: Dict[int, Tuple[Domain, List[Slot], _Plan]] = {}


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _valid_silently(kind: str, mapping: Dict[str, Any], domain: Domain) -> bool:
    """`SlotMapping.check_mapping_validity`'s answer, without its warning."""
    if kind == str(SlotMappingType.FROM_ENTITY):
        return mapping.get(ENTITY_ATTRIBUTE_TYPE) in domain.entities
    if kind == str(SlotMappingType.FROM_INTENT) and mapping.get(INTENT) is not None:
        intents = SlotMapping.to_list(mapping.get(INTENT))
        return all(not intent or intent in domain.intents for intent in intents)
    return True


def _skippable_loops(mapping: Any, domain: Domain) -> frozenset[str] | None:
    """The active loops `mapping`'s conditions name, if it can fill under no other, else None.

    Under any other active loop L (or none), Rasa's loop in `ActionExtractSlots.run`
    reaches `continue` for it with no effect: its type is known (`SlotMappingType`
    raises nothing) and valid (`check_mapping_validity` is true, so it does not
    warn); `intent_is_desired` only reads (no condition names L, so no form's
    ignored intents); if it says yes, `_verify_mapping_conditions` checks the
    conditions (the type is not `from_trigger_intent`) and
    `_matches_mapping_conditions` is False: early if the loop is rejected and the
    slot is requested, else because no condition names L and every one names a
    loop (a condition without one matches when no loop is active). Cases where
    those checks could fail or log are left to Rasa: here, conditions that are
    not dicts naming a loop, `not_intent` values that can't be hashed (they go in a
    set); per tracker, `_skip_state`'s.
    """
    if type(mapping) is not dict:
        return None
    kind = mapping.get(MAPPING_TYPE)
    conditions = mapping.get(MAPPING_CONDITIONS)
    if type(kind) is not str or kind not in _CONDITIONED_TYPES:
        return None
    if type(conditions) is not list or not conditions:
        return None
    loops: List[str] = []
    for condition in conditions:
        loop = condition.get(ACTIVE_LOOP) if type(condition) is dict else None
        if type(loop) is not str or not loop:
            return None
        loops.append(loop)
    if not all(map(_hashable, SlotMapping.to_list(mapping.get(NOT_INTENT, [])))):
        return None
    if not _valid_silently(kind, mapping, domain):
        return None
    return frozenset(loops)


def _skip_state(tracker: DialogueStateTracker) -> Tuple[bool, Any]:
    """Whether `_skippable_loops` applies to `tracker` now, and its active loop.

    Not when Rasa's checks of a skipped mapping could fail, log or make a slot: an
    active loop or latest intent name that is not a string, a latest intent that
    is not a dict, a rejected loop with no requested slot (`get_slot` logs it, or
    an AnySlotDict makes it) or one that holds anything but a string or None
    (compared with the slot's name).
    """
    loop = tracker.active_loop_name
    if loop is not None and type(loop) is not str:
        return False, loop
    if tracker.is_active_loop_rejected:
        # dict.get: an AnySlotDict makes a missing slot when read, as Rasa's check would
        requested = dict.get(tracker.slots, REQUESTED_SLOT)
        if requested is None or (requested.value is not None and type(requested.value) is not str):
            return False, loop
    message = tracker.latest_message
    if message:
        intent = message.intent
        if type(intent) is not dict:
            return False, loop
        name = intent.get(INTENT_NAME_KEY)
        if name is not None and type(name) is not str:
            return False, loop
    return True, loop


def _extraction_plan(domain: Domain) -> _Plan:
    """The user slots Rasa walks, each mapping with its `_skippable_loops` (kept per domain).

    A loaded domain's slots and mappings do not change (Rasa keeps its intents,
    entities and derived lists likewise); a domain given other slots gets a new plan.
    """
    kept = _EXTRACTION_PLANS.get(id(domain))
    if kept is None or kept[0] is not domain or kept[1] is not domain.slots:
        if len(_EXTRACTION_PLANS) >= EXTRACTION_PLANS_KEPT:
            _EXTRACTION_PLANS.clear()
        plan = [
            (slot, [(mapping, _skippable_loops(mapping, domain)) for mapping in slot.mappings])
            for slot in domain.slots
            if slot.name not in DEFAULT_SLOT_NAMES
        ]
        kept = _EXTRACTION_PLANS[id(domain)] = (domain, domain.slots, plan)
    return kept[2]


async def _extract_slots(
    self: ActionExtractSlots,
    output_channel: Any,
    nlg: Any,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> List[Event]:
    """`ActionExtractSlots.run`, line by line, without the mappings that cannot fill."""
    slot_events: List[Event] = []
    executed_custom_actions: Set[str] = set()
    skipping, loop = _skip_state(tracker)

    for slot, mappings in _extraction_plan(domain):
        for mapping, loops in mappings:
            if skipping and loops is not None and loop not in loops:
                continue
            mapping_type = SlotMappingType(mapping.get(MAPPING_TYPE))
            if not SlotMapping.check_mapping_validity(
                slot_name=slot.name, mapping_type=mapping_type, mapping=mapping, domain=domain
            ):
                continue
            if not SlotMapping.intent_is_desired(mapping, tracker, domain):
                continue
            if not ActionExtractSlots._verify_mapping_conditions(mapping, tracker, slot.name):
                continue
            if self._fails_unique_entity_mapping_check(slot.name, mapping, tracker, domain):
                continue

            value: Any = None
            if mapping_type.is_predefined_type():
                value = extract_slot_value_from_predefined_mapping(mapping_type, mapping, tracker)
            if value:
                if not isinstance(slot, ListSlot):
                    value = value[-1]
                if value is not None or tracker.get_slot(slot.name) is not None:
                    slot_events.append(SlotSet(slot.name, value))
                    break

            if mapping_type == SlotMappingType.CUSTOM:
                custom_events, executed_custom_actions = await self._execute_custom_action(
                    mapping, executed_custom_actions, output_channel, nlg, tracker, domain
                )
                slot_events.extend(custom_events)
                skipping, loop = _skip_state(tracker)  # as it is after the await

    return await self._execute_validation_action(slot_events, output_channel, nlg, tracker, domain)


def skip_unfillable_mappings() -> None:
    """Make `action_extract_slots` skip the mappings that cannot fill under the active loop."""
    ActionExtractSlots.run = _extract_slots


def apply() -> None:
    """Make every change above to Rasa's classes (each is idempotent)."""
    cache_action_response_validator()
    cache_event_types()
    cache_rule_matches()
    skip_impossible_text_rules()
    run_graphs_in_order()
    copy_slots_directly()
    copy_trackers_directly()
    keep_action_connections()
    cache_empty_domain()
    continue_states()
    continue_applied_events()
    copy_only_logged_arguments()
    skip_unfillable_mappings()
