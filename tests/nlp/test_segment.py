"""The segmenter cuts as jieba does (precise mode, HMM off), over a fraction of its memory."""

from __future__ import annotations

import logging
import random
import warnings
from pathlib import Path
from typing import Any

import pytest

from nlp import Segmenter
from nlp.homophones import from_pypinyin, syllables
from nlp.normalize import normalize
from nlp.segment import jieba_words

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def jieba_tokenizer() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources when it exists
        import jieba  # noqa: PLC0415 - the reference, in this test only

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
    return tokenizer


def _texts() -> list[str]:
    rows = [line.split("\t")[-1] for line in (DATA / "quality.tsv").read_text("utf-8").splitlines()]
    rows += (DATA / "innocent.txt").read_text("utf-8").splitlines()
    return [normalize(text).text for text in rows if text and not text.startswith("#")]


def test_the_same_tokens_as_jieba_on_our_messages(
    segmenter: Segmenter, jieba_tokenizer: Any
) -> None:
    fresh = Segmenter()
    differ = [t for t in _texts() if fresh.tokens(t) != jieba_tokenizer.lcut(t, HMM=False)]
    assert differ == []
    assert segmenter.tokens("我们公司是做滚筒印刷的") == jieba_tokenizer.lcut(
        "我们公司是做滚筒印刷的", HMM=False
    )


def test_the_same_tokens_as_jieba_on_random_text(jieba_tokenizer: Any) -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible text, not a secret
    alphabet = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单血阿ab1加v信微"  # noqa: E501
    texts = ["".join(rng.choices(alphabet, k=rng.randint(2, 40))) for _ in range(2000)]
    fresh = Segmenter()
    assert [t for t in texts if fresh.tokens(t) != jieba_tokenizer.lcut(t, HMM=False)] == []


def test_added_words_stay_whole_as_in_jieba(jieba_tokenizer: Any) -> None:
    words = ["刷单返利", "兼职打字员", "躺着赚钱"]
    segmenter = Segmenter()
    assert segmenter.add_words(words) == 3
    assert segmenter.add_words(words) == 0
    assert segmenter.add_words(["生日"]) == 0  # two characters: jieba's own dictionary decides
    for word in words:
        jieba_tokenizer.add_word(word, 1000)
    for text in ("找个刷单返利的活", "招兼职打字员日结", "在家躺着赚钱"):
        assert segmenter.tokens(text) == jieba_tokenizer.lcut(text, HMM=False)
        assert segmenter.frequency("刷单返利") == 1000


def test_outside_jiebas_blocks_each_character_is_a_token(segmenter: Segmenter) -> None:
    assert segmenter.tokens("ab 中国★人") == ["ab", " ", "中国", "★", "人"]
    assert segmenter.boundaries("中国人民") == {0, 2, 4}


def test_frequency_is_the_dictionary_count(segmenter: Segmenter) -> None:
    assert segmenter.frequency("特别") > 0
    assert segmenter.frequency("别") > 0
    assert segmenter.frequency("不存在的词语啊") == 0
    assert segmenter.frequency("") == 0


def test_the_homophone_table_is_pypinyins() -> None:
    assert syllables() == from_pypinyin()
    assert "威" in syllables()["wei"]


def test_the_dictionary_holds_jiebas_counts_and_total() -> None:
    """Read line by line, the dictionary has jieba's words, counts and total exactly (a fresh
    tokenizer: the module's one has the lists' words added)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources when it exists
        import jieba  # noqa: PLC0415 - the reference, in this test only

        reference = jieba.Tokenizer()
        reference.initialize()
    words = jieba_words()
    known = {w: c for w, c in reference.FREQ.items() if c > 0}
    assert words.total == reference.total
    assert len(words.counts) == len(known)
    for word in ("的", "中国", "人工智能", "特别", "垃圾袋"):
        assert words.count(word) == known.get(word, 0)
