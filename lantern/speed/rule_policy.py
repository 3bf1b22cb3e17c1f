"""`LanternRulePolicy`: Rasa's RulePolicy (named in config.yml) with its lookups remembered.

For each prediction the RulePolicy tests every rule against the conversation's
states, first by the message's text and then by its intent. A loaded policy's
rules do not change, so the rules that match are remembered per lookup, keyed
by the last states (as many as the longest rule has: every rule is applicable
further back than its own length); the text lookup is skipped when no rule can
match a message by its text; debug log text is made only when debug logs are kept.
Trained and predicting as Rasa's: the shortcuts start when a trained policy is loaded.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Dict, List, Set, Tuple

from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates

from lantern.speed import debug_logged, guard

#: state sequences a policy remembers the matching rules of (then it starts again)
RULE_MATCHES_KEPT = 4096

# Rasa's config check looks for its own class by identity, not for a subclass; this
# one is Rasa's RulePolicy (the check that needs it runs in `train`)
warnings.filterwarnings("ignore", message="'RulePolicy' is not included in the model's policy")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class LanternRulePolicy(RulePolicy):
    """Rasa's RulePolicy; once loaded, it remembers which rules match (see module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Rasa's policy; the shortcuts stay off until a trained one is loaded."""
        super().__init__(*args, **kwargs)
        self.shortcuts = False
        self._rule_matches: Dict[Tuple[int, str], frozenset] = {}
        self._rule_lengths: Dict[int, Tuple[Dict[str, str], int]] = {}
        self._text_rules: bool | None = None

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RulePolicy:
        """Rasa's trained policy, with the shortcuts on unless the speed-ups are off."""
        policy = super().load(config, model_storage, resource, execution_context, **kwargs)
        assert isinstance(policy, LanternRulePolicy)
        policy.shortcuts = guard.enabled()
        return policy

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Rasa's training, after Rasa's check of the fallback action against the domain.

        Rasa's config validation runs that check only for its own class.
        """
        self.raise_if_incompatible_with_domain(self.config, domain)
        return super().train(training_trackers, domain, **kwargs)

    @staticmethod
    def format_tracker_states(states: List[Dict]) -> str:
        """Rasa's text of the states for a debug log, only when debug logs are kept."""
        if debug_logged() or not guard.enabled():
            return RulePolicy.format_tracker_states(states)
        return ""

    def longest_rule(self, lookup: Dict[str, str]) -> int:
        """How many states the longest rule in `lookup` has (remembered per lookup)."""
        known = self._rule_lengths.get(id(lookup))
        if known is None or known[0] is not lookup:
            longest = max(map(len, map(json.loads, lookup)), default=0)
            known = self._rule_lengths[id(lookup)] = (lookup, longest)
        return known[1]

    def _get_possible_keys(self, lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Set[str]:
        """Rasa's rules that match `states`, remembered per lookup and recent states."""
        if not self.shortcuts:
            return super()._get_possible_keys(lookup, states)
        recent = states[-self.longest_rule(lookup) :] if lookup else []
        try:
            key = (id(lookup), json.dumps(recent, sort_keys=True))
        except TypeError:  # a state value JSON can't write: not remembered
            return super()._get_possible_keys(lookup, states)
        found = self._rule_matches.get(key)
        if found is None:
            if len(self._rule_matches) >= RULE_MATCHES_KEPT:
                self._rule_matches.clear()
            found = frozenset(super()._get_possible_keys(lookup, states))
            self._rule_matches[key] = found
        return set(found)

    def text_rules_possible(self) -> bool:
        """Whether some rule could match a conversation whose last user turn has no intent.

        The text lookup runs right after a user message: the last state has
        `action_listen` as previous action and the message's text, not its intent.
        A rule whose last state names an intent, or another previous action, can't match.
        """
        if self._text_rules is None:
            self._text_rules = False
            for key in self.lookup.get(RULES, {}):
                last = json.loads(key)[-1]
                previous = (last.get("prev_action") or {}).get("action_name")
                if previous not in (None, ACTION_LISTEN_NAME):
                    continue
                if not (last.get("user") or {}).get("intent"):
                    self._text_rules = True
                    break
        return self._text_rules

    def _find_action_from_rules(
        self, tracker: Any, domain: Any, use_text_for_last_user_input: bool
    ) -> Tuple[str | None, str | None, bool]:
        """Rasa's rule lookup, without a text lookup that can't match.

        With a form active the lookup runs: it can mark the form as interrupted.
        """
        if (
            self.shortcuts
            and use_text_for_last_user_input
            and not tracker.active_loop_name
            and not self.text_rules_possible()
        ):
            return None, None, False  # what Rasa's _predict reads of a lookup that found none
        return super()._find_action_from_rules(tracker, domain, use_text_for_last_user_input)
