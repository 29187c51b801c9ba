"""JS-SDK signatures: the official example of wecom-spec §6 (doc 96909)."""

from __future__ import annotations

from bot.wecom.jssdk import nonce, page_url, sign, signature

TICKET = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"


def test_the_official_example() -> None:
    got = signature(TICKET, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value")
    assert got == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_the_fragment_is_not_signed() -> None:
    url = "http://mp.weixin.qq.com?params=value"
    assert page_url(url + "#wechat_redirect") == url
    assert signature(TICKET, "n", 1, url + "#x") == signature(TICKET, "n", 1, url)


def test_the_url_is_signed_as_given_not_encoded() -> None:
    assert signature(TICKET, "n", 1, "https://h/a?x=中") != signature(
        TICKET, "n", 1, "https://h/a?x=%E4%B8%AD"
    )


def test_sign_returns_the_pages_fields() -> None:
    signed = sign(TICKET, "http://mp.weixin.qq.com?params=value", 1414587457, "Wm3WZYTPz0wzccnW")
    assert signed.to_json() == {
        "timestamp": 1414587457,
        "nonceStr": "Wm3WZYTPz0wzccnW",
        "signature": "0f9de62fce790f9a083d5c99e95740ceb90c27ed",
    }
    assert len(nonce()) == 16 and nonce() != nonce()
