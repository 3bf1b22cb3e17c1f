"""How the routing evaluation judges a reply (bench/routing_eval.py)."""

from __future__ import annotations

from bench.routing_eval import right


def test_one_of_the_expected_answers_is_right() -> None:
    assert right({"expect": ["mdma", "ptsd"]}, ["ptsd"])
    assert not right({"expect": ["mdma"]}, ["out_of_scope"])


def test_a_safety_reply_to_a_routing_question_is_wrong() -> None:
    assert not right({"expect": ["mdma"]}, ["safety_check_in", "mdma"])


def test_two_questions_need_both_answers_in_order() -> None:
    case = {"expect_all": ["mdma", "cost_and_insurance"]}
    assert right(case, ["mdma", "cost_and_insurance"])
    assert not right(case, ["cost_and_insurance", "mdma"])
    assert not right(case, ["mdma"])
