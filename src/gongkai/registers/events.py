"""The catalogue of a request's events: their stable codes, Chinese labels and fields, as data.

One catalogue serves the store (an event is kept as its code and a JSON object of its fields), the web forms
(one form per event, generated from the fields) and the command line (`gongkai register event`), so adding a
field is one entry here. Choices come from the format (answer kinds, table-4 results) or from the rules
(consultation kinds, fee modes); the fee amount is never a field: `fee_notice` computes it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from gongkai.formats import get_format
from gongkai.registers.errors import RegisterError
from gongkai.registers.fees import ChargeMode
from gongkai.registers.requests import (
    CONSULTATION_KINDS,
    Abandoned,
    Answer,
    ConsultationEnd,
    ConsultationStart,
    Corrected,
    CorrectionNotice,
    Event,
    Extension,
    FeeNotice,
    FeePaid,
    FeeUnpaid,
    LawsuitDecided,
    LawsuitFiled,
    ReviewDecided,
    ReviewFiled,
    fee_notice,
    outcome_kinds,
    proceeding_results,
)

__all__ = ["EVENT_TYPES", "EventType", "FieldDef", "event_from_dict", "event_from_form", "event_to_dict",
           "field_choices"]

FieldKind = Literal["date", "int", "text", "choice"]
FEE_MODES: dict[str, str] = {ChargeMode.PER_REQUEST: "按件计收", ChargeMode.PER_VOLUME: "按量计收"}
MAX_TEXT = 500


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    kind: FieldKind
    required: bool = True
    choices: str = ""
    """For a choice: which list (`field_choices`): outcome, result, consultation, fee_mode."""


@dataclass(frozen=True)
class EventType:
    code: str
    cls: type
    label: str
    fields: tuple[FieldDef, ...]
    help: str = ""


ON = FieldDef("on", "日期", "date")
RESULT = FieldDef("result", "结果", "choice", choices="result")
EVENT_TYPES: dict[str, EventType] = {t.code: t for t in (
    EventType("correction_notice", CorrectionNotice, "补正通知", (ON,),
              "收到申请后7个工作日内一次性告知（条例第三十条）"),
    EventType("corrected", Corrected, "收到补正", (ON,), "答复期限自收到补正后的申请之日起重新计算"),
    EventType("abandoned", Abandoned, "逾期不补正", (ON,), "计入表三“其他处理·申请人无正当理由逾期不补正”"),
    EventType("consultation_start", ConsultationStart, "征求意见开始",
              (ON, FieldDef("party_kind", "类型", "choice", choices="consultation"),
               FieldDef("party", "征求意见对象", "text", required=False)), "征求意见的时间不计入答复期限"),
    EventType("consultation_end", ConsultationEnd, "征求意见结束", (ON,)),
    EventType("extension", Extension, "延期",
              (ON, FieldDef("days", "延长工作日数", "int"), FieldDef("approved_by", "批准人", "text")),
              "经政府信息公开工作机构负责人同意，最长20个工作日（条例第三十三条）"),
    EventType("fee_notice", FeeNotice, "收费通知",
              (ON, FieldDef("mode", "收费方式", "choice", choices="fee_mode"),
               FieldDef("pages", "页数（按量计收）", "int", required=False)),
              "金额按国办函〔2020〕109号的标准自动计算"),
    EventType("fee_paid", FeePaid, "缴费", (ON,)),
    EventType("fee_unpaid", FeeUnpaid, "逾期未缴费", (ON,), "计入表三“其他处理·申请人逾期未按收费通知要求缴纳费用”"),
    EventType("answer", Answer, "答复", (ON, FieldDef("outcome", "答复类型", "choice", choices="outcome")),
              "每件申请只答复一次，计入表三的一个办理结果"),
    EventType("review_filed", ReviewFiled, "申请行政复议", (ON,)),
    EventType("review_decided", ReviewDecided, "复议决定", (ON, RESULT)),
    EventType("lawsuit_filed", LawsuitFiled, "提起行政诉讼", (ON,)),
    EventType("lawsuit_decided", LawsuitDecided, "诉讼裁判", (ON, RESULT)),
)}
_CODE_OF: dict[type, str] = {t.cls: code for code, t in EVENT_TYPES.items()}


def field_choices(which: str, format_id: str = "2021") -> dict[str, str]:
    """The allowed values of a choice field and their Chinese labels, read from the format or the rules."""
    if which == "consultation":
        return dict(CONSULTATION_KINDS)
    if which == "fee_mode":
        return {str(k): v for k, v in FEE_MODES.items()}
    fmt = get_format(format_id)
    if which == "outcome":
        t3 = fmt.table("requests")
        assert t3 is not None
        groups = {g.key: g.label for g in t3.groups}
        return {k: (f"{groups[k.split('.', 1)[0]]}·" if "." in k and k.split(".", 1)[0] in groups else "")
                + t3.row(k).label for k in outcome_kinds(format_id)}
    if which == "result":
        t4 = fmt.table("review_litigation")
        assert t4 is not None
        return {k: t4.column(k).label for k in proceeding_results(format_id)}
    raise KeyError(which)


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as stored: its code and its fields (dates as ISO text, the computed fee included)."""
    out: dict[str, Any] = {"kind": _CODE_OF[type(event)]}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        out[f.name] = value.isoformat() if isinstance(value, date) else (str(value) if isinstance(value, ChargeMode)
                                                                         else value)
    return out


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The event a stored dict describes (the inverse of `event_to_dict`)."""
    etype = EVENT_TYPES[data["kind"]]
    values = {k: v for k, v in data.items() if k != "kind"}
    values["on"] = date.fromisoformat(values["on"])
    if etype.cls is FeeNotice:
        values["mode"] = ChargeMode(values["mode"])
    return etype.cls(**values)


_INT = re.compile(r"[0-9０-９]{1,6}")


def _value(f: FieldDef, raw: str, format_id: str) -> object:
    text = raw.strip()
    if not text:
        if f.required:
            raise RegisterError("field_required", f"请填写「{f.label}」")
        return None if f.kind == "int" else ""
    if len(text) > MAX_TEXT:
        raise RegisterError("field_too_long", f"「{f.label}」过长（最多{MAX_TEXT}个字符）")
    if f.kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise RegisterError("bad_date", f"「{f.label}」应为有效日期，如2024-03-05") from None
    if f.kind == "int":
        if not _INT.fullmatch(text):
            raise RegisterError("bad_number", f"「{f.label}」应为整数")
        return int(text)
    if f.kind == "choice":
        return _choice(f, text, format_id)
    return text


def _choice(f: FieldDef, text: str, format_id: str) -> str:
    """A choice by its key, its printed label, or the short forms the spreadsheet import accepts
    (予以公开, 不予公开-属于国家秘密, 维持, 协办, 按件 …): one vocabulary for every way in."""
    from gongkai.registers.spreadsheet import _norm, _vocab

    choices = field_choices(f.choices, format_id)
    if text in choices:
        return text
    vocab = _vocab(format_id)
    lookup = {"outcome": vocab.outcomes, "result": vocab.results, "consultation": vocab.consultations,
              "fee_mode": vocab.fee_modes}[f.choices]
    key = lookup.get(_norm(text))
    if key is None or key not in choices:
        raise RegisterError("bad_choice", f"「{text}」不是可选的{f.label}：{'、'.join(choices.values())}")
    return key


def event_from_form(code: str, form: Mapping[str, str], *, format_id: str = "2021",
                    rank_in_month: Callable[[], int] | None = None) -> Event:
    """The event a form (web or command line) describes, or `RegisterError` saying which field is wrong.

    A fee notice charged per request needs the request's rank in the month (`rank_in_month`, computed by
    the caller from the register); its amount is computed here, never taken from the form.
    """
    etype = EVENT_TYPES.get(code)
    if etype is None:
        labels = "、".join(t.label for t in EVENT_TYPES.values())
        raise RegisterError("unknown_event", f"未知的事件「{code}」，应为：{labels}")
    values = {f.name: _value(f, form.get(f.name, ""), format_id) for f in etype.fields}
    if etype.cls is FeeNotice:
        on, pages = values["on"], values.get("pages")
        if values["mode"] == ChargeMode.PER_VOLUME:
            if pages is None:
                raise RegisterError("field_required", "按量计收须填写页数")
            return fee_notice(on, pages=pages)  # type: ignore[arg-type]
        if pages is not None:
            raise RegisterError("fee_both_ways", "按件计收不填页数：同一件申请只能按件或按量其中一种方式收费")
        if rank_in_month is None:
            raise RegisterError("fee_needs_applicant", "按件计收须知道该申请人当月的申请件数")
        return fee_notice(on, rank_in_month=rank_in_month())  # type: ignore[arg-type]
    return etype.cls(**values)
