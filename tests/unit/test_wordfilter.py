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
    "代开会的同学记得签到。",
    "好，我们明天见。",
    "对，就是这样，办完再说。",
    "嗯，感觉还不错。",
    "Привет, как дела?",
    "Καλημέρα, φίλε.",
    "Crème brûlée, naïve café.",
    "臺灣的朋友說，這裡的咖啡很好喝。",
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


def test_skeleton_folds_width_case_accents_and_sentence_breaks() -> None:
    assert skeleton("ＡＢＣ abc") == "abcabc"
    assert skeleton("一，二。三！") == "一二三"
    assert skeleton("Café ÀÉ") == "cafeae"


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


def test_the_filter_reports_the_word_as_listed_not_as_written() -> None:
    assert [m.word for m in FILTER.scan("Ｓ-Ｐ-Ａ-Ｍ 来了")] == ["spam"]


def test_the_filter_remembers_the_version_of_the_list_it_was_built_from() -> None:
    assert WordFilter.build(WORDS, version="v7").version == "v7"
    assert WordFilter.build([]).scan("") == []


def _blocked(text: str) -> bool:
    return any(m.word == "赌博" and m.level is WordLevel.BLOCK for m in FILTER.scan(text))


@pytest.mark.parametrize(
    "mark",
    [
        "\ufe0f",  # variation selector 16
        "\U000e0100",  # variation selector 17
        "\u180b",  # Mongolian free variation selector
        "\u034f",  # combining grapheme joiner
        "\u3164",  # Hangul filler
        "\uffa0",  # half-width Hangul filler
        "\u0301\u0302\u0303",  # stacked combining accents
        "\u20dd",  # enclosing circle
        "\u2060",  # word joiner
        "\U000e0041",  # tag letter A
        "\u00ad",  # soft hyphen
    ],
)
def test_invisible_marks_between_the_characters_are_seen_through(mark: str) -> None:
    assert _blocked(f"周末一起{mark.join('赌博')}吗")


@pytest.mark.parametrize(
    "mark", ["，", "。", "、", ":", "：", "；", "！", "？", "\n", "\r\n", ",,"]
)
def test_clause_punctuation_inside_the_word_is_seen_through(mark: str) -> None:
    assert _blocked(mark.join("赌博"))
    assert _blocked(f"好消息。{mark.join('赌博')}，来吗")


def test_a_word_spread_over_several_clauses_is_caught() -> None:
    assert FILTER.scan("代，开，发，票")[0] == FILTER.scan("代开发票")[0]
    assert FILTER.scan("代开，发票")[0].level is WordLevel.BLOCK


@pytest.mark.parametrize(
    "text",
    [
        "ѕраm",  # Cyrillic dze, er, a
        "ЅРАМ",  # Cyrillic capitals
        "sρam",  # Greek rho
        "SPΑM",  # Greek capital alpha
        "ｓｐåｍ",  # full width and an accent
    ],
)
def test_latin_look_alikes_from_other_scripts_fold_to_latin(text: str) -> None:
    assert [(m.word, m.level) for m in FILTER.scan(text)] == [("spam", WordLevel.BLOCK)]


@pytest.mark.parametrize("text", ["賭博", "賭 博", "聽說有人賭博", "槍支", "辦證", "毒品"])
def test_traditional_characters_fold_to_simplified(text: str) -> None:
    matches = FILTER.scan(text)
    assert matches and matches[0].level is WordLevel.BLOCK, text


def test_a_listed_word_in_traditional_characters_catches_the_simplified_text() -> None:
    listed = WordFilter.build([("賭場", WordLevel.BLOCK)])
    assert [m.word for m in listed.scan("去赌场")] == ["賭場"]


def test_the_fold_works_character_by_character_so_a_disguise_cannot_change_it() -> None:
    # OpenCC's phrase rules keep 乾 in 乾隆; the filter folds each character alone, so the
    # listed word and the spaced-out text fold alike.
    listed = WordFilter.build([("乾隆", WordLevel.BLOCK)])
    assert listed.scan("乾 隆") and listed.scan("乾隆")


def test_a_word_straddling_two_clauses_is_sent_for_review_not_blocked() -> None:
    # Two innocent words can touch across a comma: a person decides, the writer is not refused.
    assert [(m.word, m.level) for m in FILTER.scan("他说：敏，感觉不对劲。")] == [
        ("敏感", WordLevel.REVIEW)
    ]
    assert [(m.word, m.level) for m in FILTER.scan("你看着办，证件我带了")] == [
        ("办证", WordLevel.REVIEW)
    ]
    assert FILTER.scan("来玩赌，博彩")[0].level is WordLevel.REVIEW
    assert FILTER.scan("来玩赌，博彩，赌博")[0].level is WordLevel.BLOCK


def test_one_character_clauses_next_to_a_word_never_block_an_ordinary_sentence() -> None:
    listed = WordFilter.build(
        [("好色", WordLevel.BLOCK), ("对手", WordLevel.BLOCK), ("枪", WordLevel.BLOCK)]
    )
    for text in ("好，色彩很漂亮。", "说得对，手机我先拿走了。", "嗯，好，色调再暖一点"):
        assert all(m.level is WordLevel.REVIEW for m in listed.scan(text)), text
    assert listed.scan("好，我们走吧。对，就这样。") == []
    assert [m.level for m in listed.scan("枪，")] == [WordLevel.BLOCK]


def test_the_fold_table_stops_growing_on_a_text_of_every_character() -> None:
    from domain import wordfilter

    FILTER.scan("".join(chr(c) for c in range(0x4E00, 0x4E00 + wordfilter._TABLE_MAX + 10)))
    assert len(wordfilter._TABLE) <= wordfilter._TABLE_MAX


def _js_slice(text: str, start: int, end: int) -> str:
    """`text.slice(start, end)` as JavaScript counts (UTF-16 code units)."""
    return text.encode("utf-16-le")[start * 2 : end * 2].decode("utf-16-le")


LOCATED = [
    "这里有敏感内容",
    "敏😀感",
    "😀👍🏽 ＳＰＡＭ!",
    "𠀀𠀁 代 开 发 票，还有刷单",
    "Crème brûlée, 賭\u200b博",
    "去赌，博物馆",
    "赌博赌博，顺便代购",
]


@pytest.mark.parametrize("text", LOCATED + ORDINARY[:40])
def test_located_words_are_the_scanned_ones_and_their_offsets_cover_the_disguise(
    text: str,
) -> None:
    located = FILTER.locate(text)
    best: dict[str, WordLevel] = {}
    for found in located:
        if best.get(found.word) != WordLevel.BLOCK:
            best[found.word] = found.level
        # The slice a browser highlights folds to the word itself, and starts and ends on it.
        shown = _js_slice(text, found.start, found.end)
        assert skeleton(shown) == skeleton(found.word), (text, found)
        assert skeleton(shown[:1]) and skeleton(shown[-1:])
    assert sorted(best.items()) == sorted((m.word, m.level) for m in FILTER.scan(text))


def test_locate_counts_utf16_units_and_weighs_each_occurrence() -> None:
    assert [(m.word, m.start, m.end) for m in FILTER.locate("😀👍🏽敏*感")] == [("敏感", 6, 9)]
    assert [(m.word, m.level, m.start) for m in FILTER.locate("去赌，博。和赌博")] == [
        ("赌博", WordLevel.REVIEW, 1),  # straddling two clauses: maybe innocent
        ("赌博", WordLevel.BLOCK, 6),
    ]
    assert FILTER.locate("赌，博")[0].level is WordLevel.BLOCK  # whole clauses: an evasion
    assert FILTER.locate("") == [] and WordFilter.build([]).locate("敏感") == []
