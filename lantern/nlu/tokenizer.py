"""Tokenizer: spaCy's English tokenizer with lookup lemmas and lexicon normalisation."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from lantern.matching.lexicon import lexicon

#: Words inside a mention that keep their own lemma: they tell the question type
#: ("ketamine-assisted therapy" is about therapy, not only about ketamine).
KEEP = frozenset(
    {
        "therapy",
        "therapies",
        "assist",
        "assisted",
        "psychotherapy",
        "treatment",
        "treatments",
        "medicine",
        "medicines",
        "drug",
        "drugs",
        "nasal",
        "spray",
        "sprays",
        "ceremony",
        "ceremonies",
        "retreat",
        "retreats",
        "brew",
        "trip",
        "trips",
        "disorder",
        "syndrome",
        "attack",
        "attacks",
        "management",
        "relief",
        "use",
        # "kap" is ketamine for routing, but as a word it tells the classifier ask_kap
        "kap",
        "",
    }
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LanternTokenizer(Tokenizer):
    """Splits text with spaCy and gives each token a normalised lemma.

    Lemmas come from spaCy's lookup tables ("headaches" -> "headache"). A token
    inside a lexicon mention (except words such as "therapy", see KEEP) gets the
    mention's canonical value as its lemma, so
    "shrooms", "magic mushrooms" and "psilocibin" all reach the featurizers as
    "psilocybin" and the classifier learns question types, not spellings.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Same options as Rasa's built-in tokenizers."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> List[str]:
        """Python packages this component needs."""
        return ["spacy"]

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        """Tokenize the attribute's text."""
        text = message.get(attribute)
        lex = lexicon()
        doc = lex.doc(text)
        canonical: Dict[int, str] = {}
        for mention in lex.find(text, doc):
            if mention.label in ("substance", "condition"):
                span = range(mention.token_start, mention.token_end)
                # norm_: the lemma with lexicon typos corrected ("asisted" -> "assist")
                kept = [i for i in span if doc[i].norm_ in KEEP]
                for i in span:
                    if i not in kept:
                        canonical[i] = mention.value
                if len(kept) == len(span) > 1:  # "trip therapy": all kept, one carries the value
                    canonical[kept[0]] = mention.value
        tokens = [
            Token(t.text, t.idx, lemma=canonical.get(t.i, t.norm_)) for t in doc if t.text.strip()
        ]
        return self._apply_token_pattern(tokens)
