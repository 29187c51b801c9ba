"""The XML at the callback's edges: the outer envelope and the decrypted message.

defusedxml refuses DOCTYPEs, entities and external references, so a hostile body cannot
expand or reach out; anything that is not well-formed XML raises MalformedXML.

defusedxml parses with the pure-Python XMLParser (every tag through Python callbacks) so it
can watch for declarations. A document with no ``<!`` other than CDATA sections and comments
declares nothing: no DOCTYPE, hence no entities and no external references. Such documents
(every callback WeCom sends) go to the C parser, twice as fast; anything else goes through
defusedxml, which refuses or parses it as before.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as StdET
from dataclasses import dataclass
from typing import Any, Final

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# The deepest callback is a card's <SelectedItems><SelectedItem><OptionIds><OptionId>: 5 levels.
MAX_DEPTH: Final = 32
# "<!" that opens neither a CDATA section nor a comment: a DOCTYPE, ENTITY... declaration.
_DECLARATION: Final = re.compile(r"<!(?!\[CDATA\[|--)")
_DECLARATION_BYTES: Final = re.compile(rb"<!(?!\[CDATA\[|--)")


class MalformedXML(Exception):
    """The body or the decrypted message is not acceptable XML (-40002)."""

    code = -40002


@dataclass(frozen=True, slots=True)
class Envelope:
    """The outer POST body: ``Encrypt`` plus the cleartext hints WeCom adds."""

    encrypt: str
    to_user_name: str | None
    agent_id: str | None


def _declares(document: bytes | str) -> bool:
    if isinstance(document, bytes):
        return _DECLARATION_BYTES.search(document) is not None
    return _DECLARATION.search(document) is not None


def _parse(document: bytes | str) -> StdET.Element:
    try:
        if not _declares(document):
            return StdET.fromstring(document)  # noqa: S314 - declares nothing (see above)
        return fromstring(document, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except StdET.ParseError as exc:  # the message names a position, never content
        raise MalformedXML(f"not well-formed XML at line {exc.position[0]}") from exc
    except DefusedXmlException as exc:  # its message would quote the body's entity names
        raise MalformedXML(f"forbidden XML construct ({type(exc).__name__})") from exc
    except (ValueError, LookupError) as exc:  # LookupError: an encoding Python does not know
        raise MalformedXML("not decodable XML") from exc


def parse_envelope(body: bytes) -> Envelope:
    """Read the outer ``<xml><Encrypt>…`` body of a POSTed callback."""
    root = _parse(body)
    encrypt = root.findtext("Encrypt")
    if not encrypt:
        raise MalformedXML("no Encrypt element")
    return Envelope(
        encrypt=encrypt.strip(),
        to_user_name=root.findtext("ToUserName"),
        agent_id=root.findtext("AgentID"),
    )


def parse_fields(plaintext: str) -> dict[str, Any]:
    """The decrypted message as a dict: text leaves, nested dicts, lists for repeated tags."""
    root = _parse(plaintext)
    converted = _convert(root, 1)
    if not isinstance(converted, dict):
        raise MalformedXML("message has no fields")
    return converted


def _convert(element: StdET.Element, depth: int) -> Any:  # the XML edge: text, dict or list
    # expat builds any depth; converting one recursively must stop well before Python does
    if depth > MAX_DEPTH:
        raise MalformedXML(f"nested deeper than {MAX_DEPTH} elements")
    children = list(element)
    if not children:
        return element.text or ""
    fields: dict[str, Any] = {}
    for child in children:
        value = _convert(child, depth + 1)
        if child.tag not in fields:
            fields[child.tag] = value
        elif isinstance(existing := fields[child.tag], list):
            existing.append(value)
        else:
            fields[child.tag] = [existing, value]
    return fields
