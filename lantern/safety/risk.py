"""The risk model: whether a message needs a safety reply, and which one.

It reads meaning rather than phrases: each sentence, and the whole message, is
scored by a linear model over three views of the text (word and character
n-grams, which catch misspellings and shorthand, and the WordLlama sentence
vector from `lantern.semantic`, which catches paraphrase). The highest score
over the sentences wins, so one risky sentence in a long story counts.

`assess()` gives per-category scores; `decide()` turns them into one of three
outcomes (a decisive safety category, "check in", or nothing) with the
thresholds kept in config.yml.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

import numpy as np
import yaml

from lantern.safety.screen import screen
from lantern.semantic import encoder

#: What the model tells apart; "none" is everything that needs no safety reply.
LABELS = ("none", "crisis", "emergency", "active_use", "abuse")
RISKS = LABELS[1:]
#: The intent each risk category is answered by.
INTENTS = {
    "crisis": "safety_crisis",
    "emergency": "safety_emergency",
    "active_use": "safety_active_use",
    "abuse": "safety_abuse",
}
CHECK_IN = "safety_check_in"
#: The readings an unsure score is checked in on (the check-in's question fits them).
CHECKED_IN = ("crisis", "emergency")
#: Corpus categories that need no safety reply.
NO_RISK = {"benign", "decline_dosing", "decline_sourcing", "decline_personal_advice"}

#: Below this a sentence's risk decides nothing (under any check-in threshold in use).
VETO_FLOOR = 0.1
_SENTENCES = re.compile(r"(?<=[.!?;\n])\s+")
_NEGATION = re.compile(
    r"\b(?:not|no|never|nothing|nobody|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|"
    r"won'?t|can'?t|cannot|haven'?t|hasn'?t|ain'?t|nor|without|"
    r"nunca|nada|nadie|jam[aá]s|sin)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.,;:!?]|\bbut\b|\bpero\b", re.IGNORECASE)


def mark_negation(text: str) -> str:
    """Words after a negation, up to the clause's end, get a NOT_ prefix.

    "I'm not tripping right now" then shares no word features with "I'm tripping
    right now" (the sentence vector cannot tell them apart).
    """
    out, negated = [], False
    for piece in re.findall(r"[\w']+|[^\w\s]", text.lower()):
        if _CLAUSE_END.fullmatch(piece):
            negated = False
            out.append(piece)
        elif _NEGATION.fullmatch(piece):
            negated = True
            out.append(piece)
        else:
            out.append(f"NOT_{piece}" if negated else piece)
    return " ".join(out)


def segments(text: str) -> List[str]:
    """The message's sentences, all of them, plus the whole message if it has several.

    (The input guard keeps messages to 2,000 characters, so this stays cheap.)
    """
    parts = [p.strip() for p in _SENTENCES.split(text) if p and p.strip()]
    parts = [p for p in parts if re.search(r"\w", p)]
    if len(parts) > 1:
        parts.append(text.strip())
    return parts or [text.strip()]


#: libyaml's safe loader where PyYAML has it (ten times faster on the corpus), else PyYAML's own
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_corpus(folder: Path) -> Tuple[List[str], List[str]]:
    """Texts and labels from the corpus files, in sub-folders too (`category` mapped to LABELS)."""
    texts, labels = [], []
    for path in sorted(folder.rglob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {}
        for case in data.get("cases") or []:
            for text, category in _examples(case):
                label = "none" if category in NO_RISK else category
                if label not in LABELS:
                    where = f"{path.name}: {case.get('id')}"
                    raise ValueError(f"{where}: unknown category {category!r}")
                texts.append(text)
                labels.append(label)
    return texts, labels


def _examples(case: Dict[str, object]) -> List[Tuple[str, str]]:
    """(text, category) pairs of one corpus case: a message, or a conversation's turns.

    A conversation's turn counts alone unless it is a short risky follow-up
    ("like the whole bottle"), which means its risk only with the turn before: that
    pair is the example, as the risk stage reads such a follow-up.
    """
    turns = case.get("turns")
    if not isinstance(turns, list):
        return [(str(case["text"]), str(case["category"]))]
    out, previous = [], None
    for turn in turns:
        text, category = str(turn["text"]), str(turn["category"])
        if previous is not None and category not in NO_RISK and len(text.split()) <= 8:
            out.append((f"{previous} {text}", category))
        else:
            out.append((text, category))
        previous = text
    return out


def corpus_fingerprint(folder: Path) -> str:
    """A hash of the corpus files, so a changed corpus retrains the model."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.yml")):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class RiskModel:
    """Word and character TF-IDF plus the sentence vector, then logistic regression (SGD)."""

    def __init__(self, random_state: int = 42) -> None:
        """An untrained model."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import SGDClassifier

        self.words = TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
            preprocessor=mark_negation,
            token_pattern=r"\S+",
            dtype=np.float32,
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            min_df=3,
            sublinear_tf=True,
            max_features=40000,
            dtype=np.float32,
        )
        self.classifier = SGDClassifier(
            loss="log_loss",
            alpha=1e-5,
            class_weight="balanced",
            max_iter=50,
            tol=None,
            random_state=random_state,
        )

    def _features(self, texts: Sequence[str], fit: bool = False) -> object:
        from scipy import sparse

        dense = sparse.csr_matrix(encoder().embed(texts))
        if fit:
            return sparse.hstack(
                [self.words.fit_transform(texts), self.chars.fit_transform(texts), dense]
            ).tocsr()
        return sparse.hstack(
            [self.words.transform(texts), self.chars.transform(texts), dense]
        ).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> RiskModel:
        """Train on texts labelled with LABELS.

        Every sentence of a no-risk text is a no-risk example too: messages are
        read sentence by sentence, and "I'm on lithium." alone must read as what
        it is, context for a question, not the terse first-person statements of
        the crisis examples.
        """
        texts, labels = list(texts), list(labels)
        for text, label in list(zip(texts, labels, strict=True)):
            parts = segments(text)
            if label == "none" and len(parts) > 1:
                texts += parts[:-1]
                labels += ["none"] * (len(parts) - 1)
        self.classifier.fit(self._features(texts, fit=True), labels)
        return self

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per label in LABELS order.

        The same numbers as the classifier's `predict_proba` (one-vs-rest logistic,
        normalised), computed view by view: no stacked sparse matrix to build.
        """
        fast = self.__dict__.get("_fast") or self._prepare()
        decision = (
            _tfidf_times(self.words, fast["words_read"], fast["words_idf"], fast["words"], texts)
            + _tfidf_times(self.chars, fast["chars_read"], fast["chars_idf"], fast["chars"], texts)
            + encoder().embed(texts) @ fast["dense"]
            + self.classifier.intercept_
        )
        raw = 1.0 / (1.0 + np.exp(-np.asarray(decision)))
        if raw.shape[1] == 1:  # two classes: one decision function, for the second
            raw = np.hstack([1.0 - raw, raw])
        raw /= raw.sum(axis=1, keepdims=True)
        known = list(self.classifier.classes_)
        out = np.zeros((raw.shape[0], len(LABELS)), dtype=np.float64)
        for column, label in enumerate(LABELS):
            if label in known:  # a label the training data lacked scores 0
                out[:, column] = raw[:, known.index(label)]
        return out

    def _prepare(self) -> Dict[str, Any]:
        """Each view's weights as one contiguous block, its idf vector and analyzer, kept once.

        Slicing the coefficient matrix per call made scipy copy it on every message.
        """
        coef = self.classifier.coef_
        cut = len(self.words.vocabulary_), len(self.words.vocabulary_) + len(self.chars.vocabulary_)
        fast = {
            "words": np.ascontiguousarray(coef[:, : cut[0]].T),
            "chars": np.ascontiguousarray(coef[:, cut[0] : cut[1]].T),
            "dense": np.ascontiguousarray(coef[:, cut[1] :].T),
            "words_idf": np.asarray(self.words.idf_, dtype=self.words.dtype),
            "chars_idf": np.asarray(self.chars.idf_, dtype=self.chars.dtype),
            "words_read": self.words.build_analyzer(),
            "chars_read": self.chars.build_analyzer(),
        }
        self.__dict__["_fast"] = fast
        return fast

    def __getstate__(self) -> Dict[str, object]:
        """What is pickled: the model, not the blocks `_prepare` derives from it."""
        return {k: v for k, v in self.__dict__.items() if k != "_fast"}

    def assess(
        self,
        text: str,
        sentence_weight: float = 1.0,
        sentence_floor: float = 0.0,
        negated_cap: float = 0.0,
    ) -> Dict[str, float]:
        """Each risk category's score: its highest probability over the message's segments.

        In a message of several sentences, a sentence's own probability counts
        times `sentence_weight` (the whole message counts in full): a sentence read
        out of its story must be clearer to decide alone ("I live alone." is context,
        "I've been saving my pills to take them all." is not), and below
        `sentence_floor` it counts not at all: a fragment the model is unsure of
        ("I'm thinking about trying it too.") says little without its story, which
        the whole message's reading already weighs.

        A segment in which the deterministic screen found a known figure of speech
        ("I'd die for a coffee") does not count. One in which it found its safety
        words negated ("I'm not suicidal") counts at most `negated_cap`: a bag of
        words does not see negation, but the screen's negation is read from the
        words around a phrase, and "I don't trust myself not to kill myself" is
        negated too; where the two disagree the stage should ask, not drop it.
        """
        parts = segments(text)
        rows = self.probabilities(parts)
        for row, part in enumerate(parts):
            if rows[row, 1:].max() < VETO_FLOOR:
                continue  # nothing to set aside (and the screen costs ~0.3 ms a sentence)
            verdict = screen(part)
            if verdict.category is None and verdict.benign:
                rows[row, 1:] = 0.0
            elif verdict.category is None and verdict.negated:
                rows[row, 1:] = np.minimum(rows[row, 1:], negated_cap)
        if len(parts) > 1:
            alone = rows[:-1, 1:]
            alone[alone < sentence_floor] = 0.0
            rows[:-1, 1:] = alone * sentence_weight
        return {label: float(rows[:, i].max()) for i, label in enumerate(LABELS) if i > 0}


@dataclass(frozen=True)
class Decision:
    """The risk stage's outcome: an intent to set (a safety reply or the check-in) or None."""

    intent: str | None
    category: str | None
    score: float


#: Questions the assistant declines (dosing, sourcing, a personal decision).
DECLINES = frozenset({"request_dosing", "request_sourcing", "request_personal_advice"})


def decide(
    scores: Dict[str, float],
    decisive: float,
    check_in: float,
    *,
    intent: str | None = None,
    over_decline: float = 0.9,
    decline_check_in: float | None = None,
) -> Decision:
    """Decisive -> the category's safety intent; uncertain -> the check-in; else nothing.

    An emergency described by its symptoms outranks active use when both are read;
    only an unsure crisis or emergency reading gets the check-in.
    A message already read as a decline (`intent`: "how much should I take?") shares
    its words with overdose and method questions; there the model acts only when
    it is very sure (`over_decline`), and checks in only from `decline_check_in`
    (by default never: the check-in threshold is then `over_decline` too).
    """
    category = max(RISKS, key=lambda c: scores.get(c, 0.0))
    score = scores.get(category, 0.0)
    if category == "active_use" and scores.get("emergency", 0.0) >= decisive:
        category, score = "emergency", scores["emergency"]
    if intent in DECLINES:
        decisive = over_decline
        check_in = min(over_decline, decline_check_in or over_decline)
    if score >= decisive:
        return Decision(INTENTS[category], category, score)
    # the check-in asks about ending one's life or urgent medical help: it is the
    # question for an unsure crisis or emergency reading, not for the others
    asked = max(CHECKED_IN, key=lambda c: scores.get(c, 0.0))
    if scores.get(asked, 0.0) >= check_in:
        return Decision(CHECK_IN, asked, scores[asked])
    return Decision(None, None, score)


def _tfidf_times(
    vectorizer: Any, analyze: Any, idf: np.ndarray, weights: np.ndarray, texts: Sequence[str]
) -> np.ndarray:
    """`vectorizer.transform(texts) @ weights`, one text at a time, without scipy.

    The same counts, sublinear tf, idf and norm as `TfidfVectorizer.transform`
    (tests/safety/test_risk.py compares the probabilities with `predict_proba`),
    but a message's few hundred n-grams only pick their rows of `weights`:
    building sparse matrices cost five times the arithmetic on a short message.
    """
    vocabulary = vectorizer.vocabulary_
    sublinear = getattr(vectorizer, "sublinear_tf", False)
    norm = getattr(vectorizer, "norm", "l2")
    out = np.zeros((len(texts), weights.shape[1]), dtype=np.float64)
    for row, text in enumerate(texts):
        counts = Counter(j for j in map(vocabulary.get, analyze(text)) if j is not None)
        if not counts:
            continue
        columns = np.fromiter(counts.keys(), np.intp, len(counts))
        values = np.fromiter(counts.values(), np.float64, len(counts))
        if sublinear:
            values = np.log(values) + 1.0
        values *= idf[columns]
        if norm == "l2":
            values /= np.sqrt(values @ values)
        elif norm == "l1":
            values /= np.abs(values).sum()
        out[row] = values @ weights[columns]
    return out


def labelled(examples: Iterable[Tuple[str, str]]) -> Tuple[List[str], List[str]]:
    """(text, intent) pairs from Rasa's training data as texts and LABELS."""
    by_intent = {v: k for k, v in INTENTS.items()}
    texts, labels = [], []
    for text, intent in examples:
        texts.append(text)
        labels.append(by_intent.get(intent, "none"))
    return texts, labels
