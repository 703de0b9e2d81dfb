"""Figures stated in prose: each failure class with a few lines of made-up report text."""

from __future__ import annotations

from gongkai.extract.narrative import find_figures
from gongkai.formats import narrative_figures
from gongkai.model import Figure, Provenance
from gongkai.normalize import fold, squeeze


def figures(*lines: str, first_line: int = 1) -> dict[str, Figure]:
    """The figures of consecutive source lines, folded and squeezed as extraction hands them over."""
    return find_figures([(squeeze(fold(t)), Provenance(line=first_line + i)) for i, t in enumerate(lines)])


def values(*lines: str) -> dict[str, int | float]:
    return {k: f.value for k, f in figures(*lines).items()}


# The total of a breakdown, never one of its items.

def test_total_before_a_bracketed_breakdown():
    got = values("今年，我区共公布政府信息2599条，（其中机构职能类信息25条，其他应主动公开政府信息856条）对外发布。")
    assert got == {"proactive_published": 2599}


def test_received_total_before_its_breakdown():
    got = values("本年度共收到政府信息公开申请2599件，其中通过互联网提交856件，当面提交12件。")
    assert got == {"requests_received": 2599}


def test_total_before_其中():
    got = values("截至12月底，我乡主动公开政府信息2873条，其中，通过政府网站公开政府信息1600条。")
    assert got == {"proactive_published": 2873}


def test_item_after_其中_alone_is_no_total():
    assert values("全年发布各类信息约3000条，其中主动公开政府信息120条。") == {}


def test_received_including_carried_over_is_no_figure():
    # 30 counts the carried-over requests too: neither 30 nor an item is the number newly received.
    assert "requests_received" not in values("本年度共收到政府信息公开申请30件，其中新收28件，上年结转2件。")


def test_a_category_is_not_the_total():
    assert values("发布其他应主动公开政府信息56条。") == {}


# No figure from a sentence that does not state it.

def test_review_outcome_says_nothing_of_their_number():
    assert values("本年度未发生因依申请公开被行政复议纠错的情况。") == {}
    assert values("全年无行政复议案件被纠错。") == {}


def test_one_outcome_is_not_the_number_processed():
    got = values("所有办结的信息公开申请中同意公开答复9件，部分公开答复0件，不予公开答复2件。")
    assert "requests_processed" not in got


def test_processed_on_time_is_a_part():
    got = values("收到依申请公开请求2件，按时办结2件。")
    assert got == {"requests_received": 2}


def test_processed():
    assert values("办结依申请公开81件，其中予以公开42件。") == {"requests_processed": 81}
    assert values("本年度办结30件。") == {"requests_processed": 30}


def test_legacy_copy_fees_are_not_processing_fees():
    assert values("2018年，我乡依申请提供政府信息收取检索、复制、邮寄等费用0.1万元。") == {}
    assert values("暂未对依申请提供政府信息收取检索、复印、邮寄等费用。") == {}


def test_one_channel_is_not_what_was_published():
    assert values("通过微信公众号发布政府信息30条。") == {}


# Phrasings.

def test_carried_forward_phrasings():
    assert values("另有103件顺延到下年度答复。") == {"requests_carried_forward": 103}
    assert values("其他处理14件，转下一年度办理答复的有1件。")["requests_carried_forward"] == 1


def test_fee_phrasings():
    assert values("本年度收取信息处理费3940元。") == {"processing_fees_yuan": 3940}
    assert values("共收取信息处理费0.5万元。") == {"processing_fees_yuan": 5000}
    assert values("2023年，无收取信息处理费情况。") == {"processing_fees_yuan": 0}
    assert values("本年度我局未收取政府信息公开信息处理费。") == {"processing_fees_yuan": 0}
    assert values("2020年，我市未收取政府信息公开相关费用。") == {"processing_fees_yuan": 0}
    assert values("2024年，我委未发生政府信息公开收费事项。") == {"processing_fees_yuan": 0}


def test_received_phrasings():
    assert values("接收通过邮寄、网络提交的各类政府信息公开申请共计81件。") == {"requests_received": 81}
    assert values("全年收到依申请公开信息3条，答复率100%。") == {"requests_received": 3}


def test_review_stated_with_its_number_first():
    got = values("2024年我委有1件涉及政府信息公开工作的行政复议，该行政复议件未被纠错。涉及的行政诉讼数为0件。")
    assert got == {"review_total": 1, "litigation_total": 0}


def test_proactive_phrasings():
    assert values("我乡共主动公开政府信息（公文平台发文）113条，网站公开信息71条。") == {"proactive_published": 113}
    assert values("2023年，我局认真梳理，主动在门户网站公开政府信息50条。") == {"proactive_published": 50}


def test_pinyin_annotations_are_read_through():
    assert values("我局2010年度共主動(dòng)公開政府信息122條。") == {"proactive_published": 122}


# Zero stated in words, only for what the sentence names.

def test_no_requests_received():
    assert values("2023年，我委未收到政府信息公开申请。") == {"requests_received": 0}
    assert values("2010年，县工信局沒有收到要求政府信息公開的申請。") == {"requests_received": 0}


def test_no_review_names_only_the_review():
    assert values("本年度无行政复议。") == {"review_total": 0}


def test_no_review_nor_litigation():
    assert values("2023年，我局未发生行政复议、行政诉讼。") == {"review_total": 0, "litigation_total": 0}
    got = values("2016年度未接到有关政府信息公开方面的复议、诉讼和申诉。")
    assert got == {"review_total": 0, "litigation_total": 0}


def test_review_application_is_no_request_figure():
    got = values("本年度未收到因政府信息公开申请行政复议的案件。")
    assert got == {"review_total": 0}


def test_bare_无申请_says_nothing():
    # Under the requests heading it would mean no requests; under the review heading, no review: no figure.
    assert values("我镇2016年度无申请。") == {}


# Sentences wrapped over lines (text from PDF).

def test_wrapped_sentence_is_joined_and_keeps_its_first_line():
    got = figures(
        "2023年，我镇依据《政府信息公开信息处理费管理办法》共收取信息处理费",
        "300元。本年度报告中所列数据的统计期限自2023年1月1日起至12月31日止。",
        first_line=40,
    )
    assert got["processing_fees_yuan"].value == 300
    assert got["processing_fees_yuan"].text == "收取信息处理费300元"
    assert got["processing_fees_yuan"].provenance.line == 40


def test_figure_on_the_continuation_line_keeps_that_line():
    got = figures("全年新收政府信息公开申请15件，上年结转政府信息公开申请2件，结转下年",
                  "度继续办理1件。", first_line=7)
    assert {k: (f.value, f.provenance.line) for k, f in got.items()} == {
        "requests_received": (15, 7), "requests_carried_over": (2, 7), "requests_carried_forward": (1, 7)}


def test_wrapped_over_a_page_number():
    lines = [(squeeze(fold(t)), Provenance(line=n)) for n, t in
             [(10, "2023年，我镇依据《政府信息公开信息处理费管理办法》共收取信息处理费"), (11, "-2-"), (13, "300元。")]]
    assert find_figures(lines)["processing_fees_yuan"].value == 300


def test_a_heading_is_not_joined_to_the_next_line():
    assert values("行政诉讼", "3件案件均为上年度延续审理的案件，本年度没有新的变化，详见下表。") == {}


def test_separate_sentences_are_not_joined():
    got = values("本年度新收政府信息公开申请5件。", "行政复议", "0件")
    assert got == {"requests_received": 5}


def test_first_statement_in_reading_order_wins():
    got = figures("全年主动公开政府信息40条。", "本年度主动公开政府信息合计41条。", first_line=3)
    assert (got["proactive_published"].value, got["proactive_published"].provenance.line) == (40, 3)


def test_every_figure_pattern_reads_digits():
    # A sentence without a digit is only tried against the zero patterns.
    for fig in narrative_figures():
        for pattern in [*fig.patterns, *(s.pattern for s in fig.scaled_patterns)]:
            assert r"(?P<n>\d" in pattern, (fig.key, pattern)
        for pattern in fig.zero_patterns:
            assert "(?P<n>" not in pattern, (fig.key, pattern)
