"""A corp tag as operators name it: by group and name (the id is WeCom's, found or made)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.wecom.bounds import MAX_TAG_CHARS


class TagRef(BaseModel):
    """A corp tag by group and name; created on first use if the corp lacks it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS)]
    name: Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS)]
