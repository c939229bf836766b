"""The word filter sees through disguises and leaves ordinary sentences alone (no IO)."""

from __future__ import annotations

import itertools

import pytest

from domain.models import WordLevel
from domain.wordfilter import WordFilter, skeleton

WORDS = [
    ("赌博", WordLevel.BLOCK),
    ("代开发票", WordLevel.BLOCK),
    ("裸聊", WordLevel.BLOCK),
    ("枪支", WordLevel.BLOCK),
    ("毒品", WordLevel.BLOCK),
    ("六合彩", WordLevel.BLOCK),
    ("办证", WordLevel.BLOCK),
    ("敏感", WordLevel.BLOCK),
    ("spam", WordLevel.BLOCK),
    ("刷单", WordLevel.REVIEW),
    ("代购", WordLevel.REVIEW),
    ("微商", WordLevel.REVIEW),
    ("加微信", WordLevel.REVIEW),
]
FILTER = WordFilter.build(WORDS)

SUBJECTS = [
    "我",
    "我们",
    "周末大家",
    "小王",
    "楼主",
    "隔壁的同学",
    "我的室友",
    "公司的同事",
    "老师",
    "爸爸妈妈",
    "读书会的朋友",
    "这家店的老板",
    "邻居阿姨",
    "摄影社的学长",
    "班长",
    "新来的实习生",
    "我的猫",
    "表妹",
    "健身房教练",
    "咖啡店店员",
]
PREDICATES = [
    "今天去香山看了红叶，风景特别好。",
    "推荐了一本关于城市历史的书。",
    "在公园里跑了五公里，感觉很轻松。",
    "周末想去十渡徒步，有人一起吗？",
    "做了一锅番茄牛腩，味道还不错。",
    "说这次考试的重点在第三章。",
    "拍到了一张很好看的夜景照片。",
    "今天下雨了，记得带伞。",
    "正在准备考研英语，每天背单词。",
    "觉得这家咖啡店的拿铁很好喝。",
    "把旧书捐给了社区图书馆。",
    "参加了志愿者活动，帮忙整理物资。",
    "学会了用手机剪辑视频。",
    "明天要早起赶高铁去上海出差。",
    "在阳台上种了番茄和辣椒。",
]
ORDINARY = [s + p for s, p in itertools.product(SUBJECTS, PREDICATES)] + [
    "Notes on Cardano staking pools and saturation.",
    "How do I delegate my ADA to a stake pool?",
    "The meeting is moved to Friday afternoon.",
    "办法。感觉还行，大家看着办吧。",
    "他说：敏，感觉不对劲。",
    "代开会的同学记得签到。",
]


def test_ordinary_sentences_pass_untouched() -> None:
    assert len(ORDINARY) >= 200
    flagged = [s for s in ORDINARY if FILTER.scan(s)]
    assert flagged == []


@pytest.mark.parametrize(
    "text",
    [
        "这里有敏感内容",
        "敏 感",
        "敏*感",
        "敏\u200b感",  # zero-width space
        "敏\u200d感",  # zero-width joiner
        "敏\u3000感",  # ideographic space
        "敏.感",
        "敏😀感",
        "ＳＰＡＭ",  # full-width
        "S p A m",
        "s.p.a.m",
        "代 开 发 票",
    ],
)
def test_disguised_block_words_are_caught(text: str) -> None:
    matches = FILTER.scan(text)
    assert matches and matches[0].level is WordLevel.BLOCK


def test_review_words_are_reported_at_review_level() -> None:
    matches = FILTER.scan("长期刷单，加 微 信 详聊")
    assert {(m.word, m.level) for m in matches} == {
        ("刷单", WordLevel.REVIEW),
        ("加微信", WordLevel.REVIEW),
    }


def test_block_wins_over_review_and_each_word_is_reported_once() -> None:
    matches = FILTER.scan("赌博赌博，顺便代购")
    assert [m.word for m in matches] == ["赌博", "代购"]
    both = WordFilter.build([("刷单", WordLevel.REVIEW), ("刷单", WordLevel.BLOCK)])
    assert both.scan("刷单")[0].level is WordLevel.BLOCK


def test_skeleton_folds_width_and_case_and_keeps_sentence_breaks() -> None:
    assert skeleton("ＡＢＣ abc") == "abcabc"
    assert skeleton("一，二。三！") == "一,二。三!"


def test_an_empty_list_matches_nothing() -> None:
    assert WordFilter.build([]).scan("赌博") == []


def test_block_wins_whichever_order_the_list_names_a_word_in() -> None:
    for listed in (
        [("刷单", WordLevel.BLOCK), ("刷单", WordLevel.REVIEW)],
        [("刷单", WordLevel.REVIEW), ("刷单", WordLevel.BLOCK)],
    ):
        assert WordFilter.build(listed).scan("刷单")[0].level is WordLevel.BLOCK


def test_a_word_made_only_of_disguise_characters_is_left_out() -> None:
    words = WordFilter.build([("***", WordLevel.BLOCK), (" ", WordLevel.BLOCK)])
    assert words.scan("*** 星号 ***") == []


def test_a_word_split_by_sentence_punctuation_is_two_clauses_not_a_match() -> None:
    assert FILTER.scan("敏，感") == []
    assert FILTER.scan("敏\n感") == []
    assert FILTER.scan("敏、感") == []


def test_the_filter_reports_the_word_as_listed_not_as_written() -> None:
    assert [m.word for m in FILTER.scan("Ｓ-Ｐ-Ａ-Ｍ 来了")] == ["spam"]


def test_the_filter_remembers_the_version_of_the_list_it_was_built_from() -> None:
    assert WordFilter.build(WORDS, version="v7").version == "v7"
    assert WordFilter.build([]).scan("") == []
