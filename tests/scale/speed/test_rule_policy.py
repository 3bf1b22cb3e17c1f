"""lantern/speed/rule_policy.py: the rules it remembers and skips are those Rasa's finds."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lantern.speed.rule_policy import LanternRulePolicy
from tests.scale.speed.texts import TEXTS


def _policy(agent: Any) -> LanternRulePolicy:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    (policy,) = [n._component for n in nodes if isinstance(n._component, RulePolicy)]
    assert type(policy) is LanternRulePolicy  # config.yml names it
    assert policy.shortcuts  # on once loaded
    return policy


def test_the_rule_policy_remembers_exactly_the_rules_that_match(agent: Any) -> None:
    policy = _policy(agent)
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
        policy._rule_matches.clear()
        for states in sequences:
            expected = RulePolicy._get_possible_keys(policy, lookup, states)
            first = policy._get_possible_keys(lookup, states)
            first.clear()  # a caller's change must not reach what is remembered
            assert policy._get_possible_keys(lookup, states) == expected
        assert any(RulePolicy._get_possible_keys(policy, lookup, s) for s in sequences)
        # conversations that end in the same states, as many as the longest rule
        # has, are remembered as one
        longest = max(own, key=len)
        assert len(longest) == policy.longest_rule(lookup)
        policy._rule_matches.clear()
        for before in own[:12]:
            policy._get_possible_keys(lookup, before + longest)
        assert len(policy._rule_matches) == 1


def test_rule_predictions_are_rasas_without_the_impossible_text_lookup(
    agent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = _policy(agent)
    assert policy.text_rules_possible() is False  # every rule names an intent
    texts = (*TEXTS, "I want to kill myself", "start my intake", "what about psilocybin?")
    skipped = []
    rasas_lookup = RulePolicy._find_action_from_rules

    def counted(self: Any, tracker: Any, domain: Any, use_text: bool) -> Any:
        skipped.append(use_text)
        return rasas_lookup(self, tracker, domain, use_text)

    monkeypatch.setattr(RulePolicy, "_find_action_from_rules", counted)

    def predictions(shortcuts: bool) -> list:
        monkeypatch.setattr(policy, "shortcuts", shortcuts)
        skipped.clear()
        out = []
        for text in texts:
            parsed = asyncio.run(agent.parse_message(text))
            events = [ActionExecuted("action_listen"), UserUttered(text, parsed)]
            tracker = DialogueStateTracker.from_events("rules", events, agent.domain.slots)
            p = policy.predict_action_probabilities(tracker, agent.domain)
            out.append((list(p.probabilities), p.events, p.is_end_to_end_prediction))
        return out

    assert predictions(True) == predictions(False)
    predictions(True)
    assert True not in skipped  # the text lookups were skipped
    # a rule on a message's text could match: the lookup is not skipped
    text_rule = json.dumps(
        [{"prev_action": {"action_name": "action_listen"}, "user": {"text": "hi"}}]
    )
    monkeypatch.setitem(policy.lookup[RULES], text_rule, "utter_greet")
    monkeypatch.setattr(policy, "_text_rules", None)
    assert policy.text_rules_possible() is True


def test_a_policy_in_training_takes_no_shortcut(agent: Any) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema

    trained = _policy(agent)
    context = ExecutionContext(GraphSchema({}), "test")
    fresh = LanternRulePolicy(trained.config, trained._model_storage, trained._resource, context)
    assert fresh.shortcuts is False  # its rules are still being worked out


def test_training_checks_the_fallback_action_as_rasa_checks_its_own_class(agent: Any) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.shared.core.domain import InvalidDomain

    trained = _policy(agent)
    config = {**trained.config, "core_fallback_action_name": "action_not_in_the_domain"}
    context = ExecutionContext(GraphSchema({}), "test")
    policy = LanternRulePolicy(config, trained._model_storage, trained._resource, context)
    with pytest.raises(InvalidDomain, match="action_not_in_the_domain"):
        policy.train([], agent.domain)
