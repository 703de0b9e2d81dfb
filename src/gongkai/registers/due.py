"""What is due: a request's answer deadline from its own events, and the list of open requests.

`requests.py` records what happened and `deadlines.py` counts working days; this module joins them, so the
deadline a user sees is always computed from the recorded 补正, consultations, fee wait and approved
extension, never typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from gongkai.registers.deadlines import Consultation, Correction, Deadline, Payment, answer_deadline
from gongkai.registers.requests import (
    ConsultationEnd,
    ConsultationStart,
    Corrected,
    CorrectionNotice,
    Extension,
    FeeNotice,
    FeePaid,
    Request,
)

__all__ = ["OpenRequest", "deadline_of", "open_requests"]


def _correction(request: Request) -> Correction | None:
    notice = next((e for e in request.events if isinstance(e, CorrectionNotice)), None)
    if notice is None:
        return None
    corrected = next((e.on for e in request.events if isinstance(e, Corrected)), None)
    return Correction(notice.on, corrected)


def _consultations(request: Request) -> list[Consultation]:
    out: list[Consultation] = []
    for e in request.events:
        if isinstance(e, ConsultationStart):
            out.append(Consultation(e.party_kind, e.on, None, e.party))  # type: ignore[arg-type]
        elif isinstance(e, ConsultationEnd) and out:
            last = out[-1]
            out[-1] = Consultation(last.kind, last.started, e.on, last.party)
    return out


def _payment(request: Request) -> Payment | None:
    notice = next((e for e in request.events if isinstance(e, FeeNotice)), None)
    if notice is None:
        return None
    return Payment(notice.on, next((e.on for e in request.events if isinstance(e, FeePaid)), None))


def deadline_of(request: Request, today: date) -> Deadline:
    """The answer deadline of `request` as of `today`, from the events recorded up to that day.

    For a closed request, `deadline_of(r, r.closed_on)` is the deadline it had (answered late when overdue).
    """
    known = replace(request, events=tuple(e for e in request.events if e.on <= today))
    extension = next((e for e in known.events if isinstance(e, Extension)), None)
    return answer_deadline(
        request.received,
        correction=_correction(known),
        consultations=_consultations(known),
        extension_days=extension.days if extension else 0,
        extension_approved_by=extension.approved_by if extension else "",
        payment=_payment(known),
        today=today,
    )


@dataclass(frozen=True)
class OpenRequest:
    """A request not yet closed, with its deadline as of the day asked."""

    request: Request
    deadline: Deadline

    @property
    def waiting(self) -> bool:
        """Waiting for the applicant (补正 or fee): no deadline runs."""
        return self.deadline.due is None


def open_requests(requests: Iterable[Request], today: date) -> list[OpenRequest]:
    """Requests received by `today` and not closed by then: overdue first, then by working days left; those
    waiting for the applicant last."""
    out = [OpenRequest(r, deadline_of(r, today)) for r in requests
           if r.received <= today and (r.closed_on is None or r.closed_on > today)]

    def order(o: OpenRequest) -> tuple[int, int, date, str]:
        left = o.deadline.days_left
        return (1 if left is None else 0, left if left is not None else 0, o.request.received, o.request.id)

    return sorted(out, key=order)
