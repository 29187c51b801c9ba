"""A corp tag as operators name it: by group and name (the id is WeCom's, found or made)."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

MAX_TAG_CHARS: Final = 30  # corp tag names (doc 92117)


class TagRef(BaseModel):
    """A corp tag by group and name; created on first use if the corp lacks it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS)]
    name: Annotated[str, Field(min_length=1, max_length=MAX_TAG_CHARS)]
