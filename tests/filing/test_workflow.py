"""Every step of the filing workflow, for every status and every role: the allowed ones as the issue lays
them out (written here by hand, not read from the workflow's own table), and a clear refusal for the rest."""

from __future__ import annotations

import itertools

import pytest

from gongkai.filing.workflow import STATUSES, can_edit, step_refusal

ALLOWED = {
    # (step, status, who): the organ's approver submits a draft or a returned report; the superior's reviewer
    # returns or accepts a submitted one; an accepted report is published by the organ's approver or the reviewer.
    ("submit", "draft", "approver"), ("submit", "returned", "approver"),
    ("return", "submitted", "reviewer"), ("accept", "submitted", "reviewer"),
    ("publish", "accepted", "approver"), ("publish", "accepted", "reviewer"),
}
WHO = {"drafter": ({"drafter"}, set()), "approver": ({"approver"}, set()), "reviewer": (set(), {"reviewer"}),
       "outsider": (set(), set()), "reviewer_in_organ": ({"reviewer"}, set())}


@pytest.mark.parametrize(("step", "status", "who"),
                         list(itertools.product(("submit", "return", "accept", "publish"), STATUSES, WHO)))
def test_each_step_is_allowed_exactly_where_the_workflow_says(step: str, status: str, who: str) -> None:
    organ, superior = WHO[who]
    why = step_refusal(step, status, organ, superior)
    if (step, status, who) in ALLOWED:
        assert why is None
    else:
        assert why is not None and ("只有" in why or "不能" in why), why


def test_only_the_organs_users_edit_and_only_before_submission() -> None:
    for status in STATUSES:
        for roles in ({"drafter"}, {"approver"}):
            assert (can_edit(status, roles) is None) == (status in ("draft", "returned"))
    assert "已锁定" in (can_edit("submitted", {"drafter"}) or "")
    assert "本机关" in (can_edit("draft", {"reviewer"}) or "")
    assert "本机关" in (can_edit("draft", set()) or "")


def test_an_unknown_step_is_refused() -> None:
    assert "未知的操作" in (step_refusal("approve", "draft", {"approver"}, set()) or "")
