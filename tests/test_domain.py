"""The domain directory: Lantern's reader merges it as Rasa does, and a name lives in one file.

Rasa merges `domain/` itself (`--domain domain`); the code that reads the YAML
directly (the NLG's safety renderer, the intake tests) goes through
`lantern.paths.read_domain`, which must see the same names and refuse a name
defined twice (Rasa would only warn and keep one of the two).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain

from lantern import paths
from lantern.paths import DOMAIN_DIR, domain_files, read_domain


def _names(items: list) -> list[str]:
    return sorted(i if isinstance(i, str) else next(iter(i)) for i in items)


def test_the_reader_sees_what_rasa_loads_from_the_directory() -> None:
    ours, rasa = read_domain(), Domain.load(str(DOMAIN_DIR)).as_dict()
    for key in ("intents", "entities", "actions"):
        assert _names(ours[key]) == _names(rasa[key]), key
    for key in ("slots", "forms", "responses"):
        assert sorted(ours[key]) == sorted(rasa[key]), key
    assert ours["responses"] == rasa["responses"]
    assert ours["session_config"] == rasa["session_config"]


def test_the_domain_is_split_by_feature() -> None:
    names = [path.name for path in domain_files()]
    assert names == [
        "chitchat.yml",
        "core.yml",
        "intake.yml",
        "intake_questions.yml",
        "knowledge.yml",
        "safety.yml",
    ]
    # domain.yml is only a link to the folder (Rasa's default path), never a second domain
    link = DOMAIN_DIR.parent / "domain.yml"
    assert link.is_symlink() and link.resolve() == DOMAIN_DIR.resolve()


def test_a_name_defined_in_two_files_is_refused(tmp_path: Path, monkeypatch) -> None:
    reply = 'responses:\n  utter_x:\n    - text: "{}"\n'
    (tmp_path / "a.yml").write_text('version: "3.1"\nintents: [greet]\n' + reply.format("a"))
    (tmp_path / "b.yml").write_text('version: "3.1"\nintents: [thank]\n' + reply.format("b"))
    monkeypatch.setattr(paths, "DOMAIN_DIR", tmp_path)
    with pytest.raises(ValueError, match="utter_x"):
        read_domain()
    (tmp_path / "b.yml").write_text('version: "3.1"\nintents: [{greet: {}}]\n')
    with pytest.raises(ValueError, match="greet"):
        read_domain()
    (tmp_path / "b.yml").write_text('version: "3.1"\nintents: [thank]\n')
    assert read_domain()["intents"] == ["greet", "thank"]
