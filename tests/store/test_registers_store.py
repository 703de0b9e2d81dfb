"""The registers in the store, on SQLite and PostgreSQL: what is stored replays, writes are all or nothing,
personal data only on request, and two offices' registers stay apart."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.registers import service
from gongkai.registers.documents import Document
from gongkai.registers.errors import RegisterError
from gongkai.registers.requests import Answer, Request, fee_notice, replay
from gongkai.store import Store
from gongkai.store import registers as db
from gongkai.web.users import add_user

D = date.fromisoformat
OFFICE = "沙门市住房和城乡建设局"


def form(**values: str) -> dict[str, str]:
    return {"channel": "网络申请", "applicant": "natural_person", "content": "申请公开某小区规划许可", **values}


def test_a_request_and_its_events_replay_from_the_store(store: Store) -> None:
    office = db.ensure_office(store, OFFICE)
    service.new_request(store, office, form(id="A-1", received="2025-09-26", applicant_name="张三",
                                            contact="13900000000"), by=None)
    service.record(store, office, "A-1", "consultation_start",
                   {"on": "2025-09-29", "party_kind": "agency", "party": "沙门市自然资源局"}, by=None)
    service.record(store, office, "A-1", "consultation_end", {"on": "2025-10-10"}, by=None)
    service.record(store, office, "A-1", "extension", {"on": "2025-10-20", "days": "10", "approved_by": "王主任"},
                   by=None)
    stored = db.load_request(store, office, "A-1", personal=True)
    assert stored is not None
    assert (stored.applicant_name, stored.contact) == ("张三", "13900000000")
    assert [type(e).__name__ for e in stored.events] == ["ConsultationStart", "ConsultationEnd", "Extension"]
    assert stored.events[0].party_kind == "agency" and stored.events[2].approved_by == "王主任"
    # Personal data is left out unless asked for.
    public = db.load_request(store, office, "A-1")
    assert public is not None and (public.applicant_name, public.contact) == ("", "")
    assert public.events == stored.events


def test_a_refused_event_is_not_stored(store: Store) -> None:
    office = db.ensure_office(store, OFFICE)
    service.new_request(store, office, form(id="B-1", received="2025-03-03"), by=None)
    service.record(store, office, "B-1", "answer", {"on": "2025-03-10", "outcome": "granted"}, by=None)
    with pytest.raises(RegisterError) as refused:
        service.record(store, office, "B-1", "answer", {"on": "2025-03-11", "outcome": "予以公开"}, by=None)
    assert refused.value.code == "answered_twice"
    with pytest.raises(RegisterError) as refused:
        service.record(store, office, "B-1", "extension", {"on": "2025-03-11", "days": "30"}, by=None)
    assert refused.value.code == "field_required" and "批准人" in refused.value.message_zh
    stored = db.load_request(store, office, "B-1")
    assert stored is not None and stored.events == (Answer(D("2025-03-10"), "granted"),)


def test_a_per_request_fee_counts_the_applicants_requests_that_month(store: Store) -> None:
    office = db.ensure_office(store, OFFICE)
    for i in range(1, 12):
        service.new_request(store, office, form(id=f"F-{i:02}", received=f"2025-04-{i:02}", applicant_name="钱某"),
                            by=None)
    service.new_request(store, office, form(id="G-01", received="2025-04-05", applicant_name="孙某"), by=None)
    with pytest.raises(RegisterError) as refused:
        service.record(store, office, "F-10", "fee_notice", {"on": "2025-04-20", "mode": "按件计收"}, by=None)
    assert refused.value.code == "fee_not_due"
    done = service.record(store, office, "F-11", "fee_notice", {"on": "2025-04-20", "mode": "per_request"}, by=None)
    assert done.events[-1].amount_yuan == 100 and done.events[-1].rank_in_month == 11
    paged = service.record(store, office, "G-01", "fee_notice", {"on": "2025-04-20", "mode": "per_volume",
                                                                  "pages": "101"}, by=None)
    assert paged.events[-1].amount_yuan == 70 * 10 + 20


def test_duplicate_numbers_and_imports_are_all_or_nothing(store: Store) -> None:
    office = db.ensure_office(store, OFFICE)
    service.new_request(store, office, form(id="C-1", received="2025-01-02"), by=None)
    with pytest.raises(RegisterError) as refused:
        service.new_request(store, office, form(id="C-1", received="2025-01-03"), by=None)
    assert refused.value.code == "duplicate_id"
    batch = [Request("C-2", D("2025-01-05"), "online", "commercial", "…"),
             Request("C-1", D("2025-01-06"), "online", "commercial", "…")]
    with pytest.raises(RegisterError) as refused:
        db.import_requests(store, office, batch)
    assert "C-1" in refused.value.message_zh
    assert [r.id for r in db.load_requests(store, [office.key])] == ["C-1"]
    assert db.import_requests(store, office, batch[:1]) == 1
    assert [r.id for r in db.load_requests(store, [office.key])] == ["C-1", "C-2"]


def test_offices_keep_apart_and_a_group_adds_up(store: Store) -> None:
    a, b = db.ensure_office(store, OFFICE), db.ensure_office(store, "沙门市自然资源局", parent="沙门市人民政府")
    assert b.parent_key == db.office_key("沙门市人民政府")
    for office, n in ((a, 3), (b, 2)):
        reqs = [replay(Request(f"R{i}", D("2025-02-03"), "online", "natural_person", "…"),
                       [Answer(D("2025-02-20"), "granted")]) for i in range(n)]
        db.import_requests(store, office, reqs)
    one = service.year_tables(store, [a.key], 2025)["requests"]
    both = service.year_tables(store, [a.key, b.key], 2025)["requests"]
    assert one["granted"]["total"] == 3 and both["granted"]["total"] == 5
    assert both["new_received"]["natural_person"] == 5


def test_documents_give_table_2_rows_and_replace_only_when_asked(store: Store) -> None:
    office = db.ensure_office(store, OFFICE)
    docs = [Document("沙建规〔2023〕1号", "物业管理办法", "normative_documents", OFFICE, D("2023-05-01")),
            Document("沙建规〔2025〕1号", "物业管理办法（修订）", "normative_documents", OFFICE, D("2025-03-01"),
                     replaces="沙建规〔2023〕1号")]
    assert db.import_documents(store, office, docs) == 2
    t2 = service.year_tables(store, [office.key], 2025)["proactive"]["normative_documents"]
    assert t2 == {"issued": 1, "repealed": 0, "in_force": 2}
    repeal = Document("沙建规〔2023〕1号", "物业管理办法", "normative_documents", OFFICE, D("2023-05-01"),
                      repealed=D("2025-03-01"))
    with pytest.raises(RegisterError) as refused:
        db.add_document(store, office, repeal)
    assert refused.value.code == "duplicate_number"
    db.add_document(store, office, repeal, replace_existing=True)
    t2 = service.year_tables(store, [office.key], 2025)["proactive"]["normative_documents"]
    assert t2 == {"issued": 1, "repealed": 1, "in_force": 1}


def test_roles_are_per_office_and_need_a_user(store: Store) -> None:
    office = db.ensure_office(store, OFFICE)
    add_user(store, "li", "a-long-password")
    db.grant(store, "li", office, "drafter")
    db.grant(store, "li", office, "drafter")
    assert db.roles_of(store, "li") == {office.key: {"drafter"}}
    with pytest.raises(RegisterError) as refused:
        db.grant(store, "li", office, "boss")
    assert refused.value.code == "unknown_role"
    with pytest.raises(RegisterError) as refused:
        db.grant(store, "nobody", office, "drafter")
    assert refused.value.code == "unknown_user"
    assert db.revoke(store, "li", office) == 1 and db.roles_of(store, "li") == {}


def test_fee_notice_dict_round_trip() -> None:
    from gongkai.registers.events import event_from_dict, event_to_dict

    notice = fee_notice(D("2025-04-20"), pages=250)
    assert event_from_dict(event_to_dict(notice)) == notice
    assert event_to_dict(notice)["mode"] == "per_volume"


def test_dates_after_today_are_refused(store: Store) -> None:
    office = db.ensure_office(store, OFFICE)
    with pytest.raises(RegisterError) as refused:
        service.new_request(store, office, form(id="T-1", received="2025-06-02"), by=None, today=D("2025-06-01"))
    assert refused.value.code == "date_in_future" and "晚于今天" in refused.value.message_zh
    service.new_request(store, office, form(id="T-1", received="2025-06-02"), by=None, today=D("2025-06-02"))
    with pytest.raises(RegisterError) as refused:
        service.record(store, office, "T-1", "answer", {"on": "2025-06-05", "outcome": "granted"}, by=None,
                       today=D("2025-06-04"))
    assert refused.value.code == "date_in_future"
