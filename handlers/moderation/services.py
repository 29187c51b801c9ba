"""Moderation's services for other concerns, provided by the wiring (handlers/__init__.py)."""

from __future__ import annotations

from bot.store.rules_live import LiveRules
from nlp import Analysis, Analyzer

LiveAnalyzer = LiveRules[Analyzer]


class AnalyzerVerdicts:
    """Sensitive or not, and the intent, of a message (the 微信客服 bot's MessageVerdicts).

    The bot asks both of one text in a row: the last analysis is kept, so it runs once.
    """

    def __init__(self, analyzer: LiveAnalyzer | None) -> None:
        self._live = analyzer  # the live word lists (None: moderation is off)
        self._last: tuple[str, Analysis] | None = None

    async def _analysis(self, text: str) -> Analysis | None:
        if self._live is None:
            return None  # moderation is off: nothing is sensitive, no intent is known
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        analysis = (await self._live.current()).analyze(text)
        self._last = (text, analysis)
        return analysis

    async def is_sensitive(self, text: str) -> bool:
        """The text holds a sensitive word (diversion, abuse, ad law, fraud)."""
        analysis = await self._analysis(text)
        return analysis is not None and bool(analysis.sensitive)

    async def intent_of(self, text: str) -> str | None:
        """The text's intent (price, human, complaint...), or None."""
        analysis = await self._analysis(text)
        return None if analysis is None else analysis.intent
