"""The C parser takes what declares nothing, defusedxml the rest: same trees, same refusals."""

from __future__ import annotations

import xml.etree.ElementTree as StdET

import pytest
from defusedxml.ElementTree import fromstring as defused_fromstring
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.envelope import MalformedXML, _declares, parse_fields

DOCUMENTS = [
    "<xml><ToUserName><![CDATA[ww1]]></ToUserName><MsgType><![CDATA[text]]></MsgType></xml>",
    "<xml><Content><![CDATA[<!DOCTYPE x> 看起来像声明]]></Content></xml>",  # inside CDATA
    "<xml><!-- a comment --><A>1</A><A>2</A><B><C>&lt;&amp;&#20320;</C></B></xml>",
    '<?xml version="1.0" encoding="utf-8"?><xml><A>x</A></xml>',
]


def _tree(element: StdET.Element) -> object:
    return (element.tag, (element.text or "").strip(), [_tree(child) for child in element])


@pytest.mark.parametrize("document", DOCUMENTS)
def test_both_parsers_build_the_same_tree(document: str) -> None:
    fast = StdET.fromstring(document)  # noqa: S314 - the documents above declare nothing
    assert _tree(fast) == _tree(defused_fromstring(document))


@pytest.mark.parametrize(
    ("document", "declares"),
    [
        ("<xml><A>1</A></xml>", False),
        ("<xml><A><![CDATA[x]]></A><!-- c --></xml>", False),
        ("<!DOCTYPE xml [<!ENTITY a 'b'>]><xml>&a;</xml>", True),
        ("<xml><!ENTITY a 'b'></xml>", True),
        ("<xml><A><![CDATA[<!DOCTYPE]]></A></xml>", True),  # looks like one: the safe path
    ],
)
def test_what_counts_as_a_declaration(document: str, declares: bool) -> None:
    assert _declares(document) is declares
    assert _declares(document.encode()) is declares


@pytest.mark.parametrize(
    "document",
    [
        "<!DOCTYPE xml [<!ENTITY a 'b'>]><xml><A>&a;</A></xml>",
        '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><A>&x;</A></xml>',
        "<xml><A>&undefined;</A></xml>",
    ],
)
def test_declarations_and_unknown_entities_are_still_refused(document: str) -> None:
    with pytest.raises(MalformedXML):
        parse_fields(document)


names = st.sampled_from(["A", "B", "Content", "MsgType", "Item"])
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    children = draw(st.lists(names, max_size=3 if depth < 3 else 0))
    inner = "".join(
        f"<{n}>{draw(documents(depth + 1))}</{n}>"
        if draw(st.booleans())
        else f"<{n}><![CDATA[{draw(texts).replace(']]>', '')}]]></{n}>"
        for n in children
    )
    return inner if depth else f"<xml>{inner}</xml>"


@settings(max_examples=200, deadline=None)
@given(documents())
def test_any_document_that_declares_nothing_parses_alike(document: str) -> None:
    if _declares(document):
        return
    fast = StdET.fromstring(document)  # noqa: S314 - declares nothing (checked)
    assert _tree(fast) == _tree(defused_fromstring(document))
