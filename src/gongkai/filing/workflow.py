"""The filing workflow as data: statuses, the steps between them, and who may take each step.

Draft → Submitted → Returned (with comments) → Submitted … → Accepted → Published. Drafters and approvers
belong to the organ; reviewers to its superior disclosure office (政务公开办). Only the organ's own users edit its
report, and only while it is a draft or returned: a submitted report is locked. Pure: `allowed` answers from
the draft's status and the user's roles, with a Chinese reason when it says no.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

__all__ = ["EDITABLE", "STATUSES", "STEPS", "Step", "can_edit", "step_refusal"]

STATUSES: dict[str, str] = {
    "draft": "草稿",
    "submitted": "已报送",
    "returned": "已退回",
    "accepted": "已审核通过",
    "published": "已公开",
}
EDITABLE = frozenset({"draft", "returned"})

ORGAN_ROLES = frozenset({"drafter", "approver"})


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    sources: frozenset[str]
    target: str
    organ_roles: frozenset[str]
    """Roles in the report's own organ that may take the step."""
    superior_roles: frozenset[str]
    """Roles in the organ's superior office that may take the step."""


STEPS: dict[str, Step] = {s.code: s for s in (
    # The head of the organ approves the report and sends it up (条例第四条: the organ's disclosure unit drafts).
    Step("submit", "报送", frozenset({"draft", "returned"}), "submitted", frozenset({"approver"}), frozenset()),
    Step("return", "退回", frozenset({"submitted"}), "returned", frozenset(), frozenset({"reviewer"})),
    Step("accept", "审核通过", frozenset({"submitted"}), "accepted", frozenset(), frozenset({"reviewer"})),
    Step("publish", "公开", frozenset({"accepted"}), "published", frozenset({"approver"}), frozenset({"reviewer"})),
)}


def can_edit(status: str, organ_roles: Set[str]) -> str | None:
    """None when the user may edit the draft, else why not (Chinese)."""
    if not organ_roles & ORGAN_ROLES:
        return "只有本机关的撰写人或审核人可以修改本机关的年度报告"
    if status not in EDITABLE:
        return f"报告{STATUSES[status]}，已锁定，不能修改"
    return None


def step_refusal(code: str, status: str, organ_roles: Set[str], superior_roles: Set[str]) -> str | None:
    """None when the user may take step `code` now, else why not (Chinese)."""
    step = STEPS.get(code)
    if step is None:
        return f"未知的操作“{code}”，可选：{'、'.join(s.label for s in STEPS.values())}"
    if not (organ_roles & step.organ_roles or superior_roles & step.superior_roles):
        who = "、".join([*(f"本机关的{_ROLE_WORDS[r]}" for r in sorted(step.organ_roles)),
                         *(f"上级机关的{_ROLE_WORDS[r]}" for r in sorted(step.superior_roles))])
        return f"只有{who}可以{step.label}"
    if status not in step.sources:
        allowed = "、".join(STATUSES[s] for s in sorted(step.sources))
        return f"报告{STATUSES[status]}，不能{step.label}（只有{allowed}的报告可以{step.label}）"
    return None


_ROLE_WORDS = {"drafter": "撰写人", "approver": "审核人", "reviewer": "审核人（政务公开办）"}
