"""Find corridors, places, countries and organisations in plain-text documents.

:func:`scan_text` and :func:`scan_file` return :class:`Mention` values: what was found,
where (character offsets), what it resolves to (a corridor id, a gazetteer place with its
coordinates, an ISO3 code, an organisation id) and a short context window read from the
text at run time. Nothing from the texts is stored or shipped: the matcher is built from
the project's own definitions (``seeds/``: names and aliases), gazetteer
(``geodata/places.yaml``), country and organisation names (``geodata/countries.yaml``) and
the small tables of corridor phrases in this module.

Matching rules
--------------
- Whole words only: a name never matches inside another word ("Kars" is not found in
  "Karsten", nor "Baku" in "Bakunin"); possessives and hyphenated compounds match
  ("Azerbaijan's", "Baku-based").
- Accents and diacritics do not count (Naxçıvan = Naxcivan, Iğdır = Igdir); typographic
  dashes and apostrophes count as ASCII ones; Cyrillic letters that look like Latin ones
  are read as Latin, so a name typed with a stray letter of the other script still
  matches; a space or hyphen in a name matches a hyphen, an en or em dash, or spaces and
  line breaks ("Baku–Tbilisi–Kars" = "Baku - Tbilisi - Kars").
- Case aware: the first letter must match in case, the rest may differ ("BAKU",
  "Middle corridor"); a short form with capitals inside it ("US", "U.S.", "EU", "INSTC")
  matches only as written, so the pronoun "us" is never the United States.
- A word split over two lines by a hyphen ("Nakh-" / "chivan") is read joined when the
  second line goes on in lower case.
- The longest name wins ("Nagorno-Karabakh" over "Karabakh", "Aras corridor" over "Aras").
  A place that only names a corridor ("Zangezur corridor", "Aras route") counts as the
  corridor, not as the place; "Aras" alone, "the Aras River" or "along the Aras" is the
  river. Places in a longer corridor name ("Baku–Tbilisi–Kars") are counted too.
- A name shared by two gazetteer places (Astara in Azerbaijan and in Iran) resolves to the
  one whose country the document mentions most.

Offsets are character offsets into the text as decoded: ``text[m.start:m.end] == m.text``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors._data import display_path
from corridors._errors import CorridorsError
from corridors.geo import geodata
from corridors.text import _text

if TYPE_CHECKING:
    import folium
    import pandas as pd

    from corridors.network.core import Network
    from corridors.routing import Route

__all__ = [
    "CONTEXT_CHARS",
    "DESCRIPTIONS",
    "DRAFT_MERGE_KM",
    "EXTRA_ALIASES",
    "KINDS",
    "MAX_BYTES",
    "Mention",
    "ScanError",
    "country_counts",
    "draft_definition",
    "draft_to_yaml",
    "draft_yaml",
    "map_mentions",
    "mention_summary",
    "mentions_to_frame",
    "mentions_to_geojson",
    "scan_file",
    "scan_text",
    "text_from_file",
    "write_draft",
]

_LOG = logging.getLogger("corridors")

#: What a mention can be, in the order reports list them.
KINDS = ("corridor", "place", "country", "organisation")
#: Characters of context kept on either side of a mention.
CONTEXT_CHARS = 40
#: Files larger than this many bytes are refused (split them first). Scanning takes about
#: 1 s and 50 MB of memory per MB of dense text, so 64 MiB bounds one file to about a minute.
MAX_BYTES = 64 * 1024 * 1024

#: Phrases for corridors that the definitions' names and aliases do not cover, or share
#: between several definitions, mapped to a corridor id; ``None`` for a corridor with no
#: shipped definition. These take precedence over the definitions' own aliases.
EXTRA_ALIASES: dict[str, str | None] = {
    "Trump Route": "zangezur",
    "INSTC": "instc-west",
    "North–South corridor": "instc-west",
    "North–South Transport Corridor": "instc-west",
    "International North–South Transport Corridor": "instc-west",
    "International North–South Transportation Corridor": "instc-west",
    "Middle Corridor": "middle-corridor",
    "Trans-Caspian International Transport Route": "middle-corridor",
    "Trans-Caspian International Transport Corridor": "middle-corridor",
    "Southern Gas Corridor": None,
    "South Caucasus Pipeline": None,
    "Baku–Tbilisi–Erzurum pipeline": None,
    "Trans-Anatolian Natural Gas Pipeline": None,
    "Trans-Anatolian Pipeline": None,
    "TANAP": None,
    "Trans Adriatic Pipeline": None,
    "Trans-Caspian Gas Pipeline": None,
    "Lapis Lazuli corridor": None,
    "Lapis Lazuli route": None,
}

#: Words that make a corridor of a name: "<stem> [modifier] <noun>" ("Aras transit
#: corridor", "Zangezur route"), for the stems below.
_NOUNS = (
    "corridor",
    "route",
    "railway",
    "railroad",
    "rail line",
    "rail link",
    "line",
    "link",
    "road",
    "highway",
    "project",
)
_MODIFIERS = (
    "",
    "transit",
    "transport",
    "transportation",
    "trade",
    "land",
    "rail",
    "railway",
    "road",
    "international transport",
)
#: Corridor id → (stems, nouns, whether the stem alone names the corridor).
_STEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "zangezur": (("Zangezur", "Zangazur", "Zengezur"), _NOUNS, False),
    "aras": (("Aras", "Araz", "Araxes"), _NOUNS, False),
    "instc-west": (
        ("North–South", "South–North", "International North–South", "North–South International"),
        _NOUNS,
        False,
    ),
    "middle-corridor": (("Middle", "Trans-Caspian"), ("corridor", "route"), False),
    "btk": (
        ("Baku–Tbilisi–Kars", "Kars–Tbilisi–Baku", "Baku–Tbilisi–Akhalkalaki–Kars", "BTK"),
        _NOUNS,
        True,
    ),
    "btc-pipeline": (
        ("Baku–Tbilisi–Ceyhan", "BTC"),
        ("pipeline", "oil pipeline", "route", "project"),
        False,
    ),
}

#: Descriptions that point at a corridor without naming it ("the route through Georgia"):
#: target (a regular expression read after "<corridor word> through/across/via") → id.
DESCRIPTIONS: dict[str, str] = {
    r"southern\s+Armenia|Armenian\s+territory|Syunik|Meghri"
    r"|Armenia(?:'s\s+(?:southern\s+territory|south|Syunik(?:\s+[Pp]rovince)?))?": "zangezur",
    r"northern\s+Iran|Iranian\s+territory|Iran": "aras",
    r"Georgia": "btk",
}
_DESCRIPTION_NOUNS = ("corridor", "route", "road", "railway", "rail link", "link", "highway")
_VIA = (
    r"s?\s+(?:(?:passing|running|going|that\s+runs|which\s+runs)\s+)?(?:through|across|via)"
    r"\s+(?:the\s+territory\s+of\s+)?"
)
#: Stems that describe rather than name a corridor ("a trans-Iranian transit corridor").
_DESCRIPTIVE_STEMS: dict[str, tuple[str, ...]] = {"aras": ("trans-Iranian", "Trans-Iranian")}

#: Phrases that contain a country name but are not the country.
_BLOCKERS = (
    "South America",
    "Latin America",
    "Central America",
    "North America",
    "South American",
    "Latin American",
    "Central American",
    "North American",
)
_GENERIC_WORDS = frozenset(
    w for phrase in (*_NOUNS, *_MODIFIERS, "the", "pipeline", "oil") for w in phrase.split()
)


class ScanError(CorridorsError, ValueError):
    """A document cannot be scanned (missing, a folder, binary), or a draft cannot be made."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One name found in a document.

    Attributes
    ----------
    document : str
        The document: the path as given, or ``"<text>"``.
    start, end : int
        Character offsets: ``text[start:end]`` is the matched phrase.
    text : str
        The matched phrase as it stands in the document.
    kind : str
        ``"corridor"``, ``"place"``, ``"country"`` or ``"organisation"``.
    id : str or None
        Corridor id (``None`` for a corridor with no shipped definition, such as the
        Southern Gas Corridor), place name, ISO3 code or organisation id.
    detail : str or None
        For a place, its gazetteer kind (``city``, ``station``, ``port``,
        ``border_crossing``, ``region``, ``river``); for a corridor, ``"name"`` when named
        or ``"description"`` for a phrase such as "the route through Georgia".
    country : str or None
        ISO3 code of a place or country.
    lon, lat : float or None
        A place's coordinates, degrees (WGS 84).
    context : str
        The phrase with up to ``context_chars`` characters either side, whitespace
        collapsed, read from the document.
    """

    document: str
    start: int
    end: int
    text: str
    kind: str
    id: str | None
    detail: str | None = None
    country: str | None = None
    lon: float | None = None
    lat: float | None = None
    context: str = ""


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str
    id: str | None
    detail: str | None = None
    country: str | None = None
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class _Matcher:
    names: re.Pattern[str]
    name_entries: Mapping[str, tuple[_Entry, ...]]
    corridors: re.Pattern[str]
    corridor_ids: Mapping[str, tuple[str | None, str]]
    descriptions: re.Pattern[str]
    description_ids: Mapping[str, str]


def _strip_parenthetical(name: str) -> tuple[str, str | None]:
    m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)\s*", name)
    return (m.group(1), m.group(2)) if m else (name, None)


def _corridor_phrases() -> tuple[dict[str, tuple[int, str | None, str]], list[str]]:
    """Corridor phrases: key → (priority, id, detail), and every phrase as written.

    The lowest priority number wins a key shared by several corridors.
    """
    from corridors.definitions._load import load_all

    found: dict[str, tuple[int, str | None, str]] = {}
    phrases: dict[str, None] = {}

    def put(phrase: str, cid: str | None, priority: int, detail: str = "name") -> None:
        key = _text.phrase_key(phrase)
        if not key:
            return
        phrases[phrase] = None
        if key not in found or priority < found[key][0]:
            found[key] = (priority, cid, detail)
        elif priority == found[key][0] and found[key][1] != cid:
            _LOG.debug("corridor phrase %r is shared; it stays with %s", phrase, found[key][1])

    for phrase, cid in EXTRA_ALIASES.items():
        put(phrase, cid, 0)
    for c in load_all(variants=True):
        variant = 1 if c.parent else 0
        for alias in c.aliases:
            stripped, _ = _strip_parenthetical(alias)
            put(alias, c.id, 1 + variant)
            put(stripped, c.id, 3 + variant)
        stripped, inner = _strip_parenthetical(c.name)
        put(stripped, c.id, 3 + variant)
        if inner and inner[:1].isupper():
            put(inner, c.id, 3 + variant)
    stems = [
        (cid, s, nouns, alone, "name") for cid, (ss, nouns, alone) in _STEMS.items() for s in ss
    ]
    stems += [
        (cid, s, _NOUNS, False, "description") for cid, ss in _DESCRIPTIVE_STEMS.items() for s in ss
    ]
    for cid, stem, nouns, alone, detail in stems:
        if alone:
            put(stem, cid, 5, detail)
        for modifier in _MODIFIERS:
            for noun in nouns:
                put(f"{stem} {modifier} {noun}".replace("  ", " "), cid, 5, detail)
    return found, list(phrases)


def _description_pattern() -> tuple[str, dict[str, str]]:
    ids: dict[str, str] = {}
    targets = []
    for i, (target, cid) in enumerate(DESCRIPTIONS.items()):
        ids[f"d{i}"] = cid
        targets.append(f"(?P<d{i}>{target})")
    nouns = _text.trie_alternatives(
        _text.atoms(n, first_sensitive=False) for n in _DESCRIPTION_NOUNS
    )
    pattern = "(?:" + "|".join(nouns) + ")" + _VIA + "(?:" + "|".join(targets) + r")(?!\w)"
    return pattern, ids


@functools.cache
def _matcher() -> _Matcher:
    entries: dict[str, list[tuple[int, _Entry]]] = {}
    phrases: dict[str, list[tuple[str, bool]]] = {}

    def put(phrase: str, priority: int, entry: _Entry) -> None:
        phrase = re.sub(r"^the\s+", "", phrase)  # "the Ukraine": the name alone matches
        key = _text.phrase_key(phrase)
        if not key:
            return
        phrases.setdefault(phrase, _text.atoms(phrase))
        entries.setdefault(key, []).append((priority, entry))

    for phrase in _BLOCKERS:
        put(phrase, -1, _Entry("ignore", None))
    for iso3, country_names in geodata.country_names().items():
        for phrase in country_names:
            put(phrase, 0, _Entry("country", iso3, country=iso3))
    for org, org_names in geodata.organisations().items():
        for phrase in org_names:
            put(phrase, 1, _Entry("organisation", org))
    for p in geodata.places():
        entry = _Entry("place", p.name, p.kind, p.country, p.lon, p.lat)
        for phrase in p.names:
            put(phrase, 2, entry)
    name_entries: dict[str, tuple[_Entry, ...]] = {}
    for key, items in entries.items():
        best = min(priority for priority, _ in items)
        name_entries[key] = tuple(dict.fromkeys(e for priority, e in items if priority == best))
    names = re.compile("(?:" + "|".join(_text.trie_alternatives(phrases.values())) + r")(?!\w)")

    corridor, corridor_phrases = _corridor_phrases()
    corridor_atoms = [_text.atoms(phrase) for phrase in corridor_phrases]
    corridors = re.compile("(?:" + "|".join(_text.trie_alternatives(corridor_atoms)) + r")(?!\w)")
    description, description_ids = _description_pattern()
    return _Matcher(
        names=names,
        name_entries=name_entries,
        corridors=corridors,
        corridor_ids={key: (cid, detail) for key, (_, cid, detail) in corridor.items()},
        descriptions=re.compile(description),
        description_ids=description_ids,
    )


_SPACE = re.compile(r"\s")


# --- scanning -----------------------------------------------------------------------------


def _context(text: str, start: int, end: int, width: int) -> str:
    """The phrase with up to ``width`` characters either side, cut at word ends."""
    a, b = max(0, start - width), min(len(text), end + width)
    left, right = text[a:start], text[end:b]
    if a > 0:
        m = _SPACE.search(left)
        left = "…" + (left[m.end() :] if m else left)
    if b < len(text):
        cut = max(right.rfind(" "), right.rfind("\n"), right.rfind("\t"))
        right = (right[:cut] if cut > 0 else right) + "…"
    return " ".join(f"{left}{text[start:end]}{right}".split())


def _inside_name(folded: str, span: tuple[int, int], corridor: tuple[int, int]) -> bool:
    """Whether a place at ``span`` only names the corridor phrase around it."""
    rest = folded[corridor[0] : span[0]] + " " + folded[span[1] : corridor[1]]
    return set(re.findall(r"[^\W\d_]+", rest.casefold())) <= _GENERIC_WORDS


def scan_text(
    text: str, *, document: str = "<text>", context_chars: int | None = None
) -> list[Mention]:
    """Find corridors, places, countries and organisations in a text.

    Parameters
    ----------
    text
        The document's text.
    document
        Its name, copied into every mention.
    context_chars
        Characters of context either side of a mention (default :data:`CONTEXT_CHARS`).

    Returns
    -------
    list of Mention
        In order of position; overlapping corridor and country mentions both count
        ("the route through Georgia" is a corridor and Georgia a country).

    Examples
    --------
    >>> [(m.kind, m.id, m.text) for m in scan_text("From Baku along the Aras corridor.")]
    [('place', 'Baku', 'Baku'), ('corridor', 'aras', 'Aras corridor')]
    >>> text = "Bakunin met us in Karsten."
    >>> scan_text(text)
    []
    """
    width = CONTEXT_CHARS if context_chars is None else context_chars
    if width < 0:
        raise ScanError(f"context_chars {width} must be 0 or more")
    matcher = _matcher()
    norm, nfc_map = _text.nfc(text)
    work, join_map = _text.join_hyphenated(norm)
    folded = _text.fold(work)

    def raw(pos: int) -> int:
        pos = join_map(pos) if join_map is not None else pos
        return nfc_map(pos) if nfc_map is not None else pos

    found: list[tuple[int, int, _Entry]] = []
    named: list[tuple[int, int]] = []
    for m in matcher.corridors.finditer(folded):
        cid, detail = matcher.corridor_ids.get(_text.key(m.group()), (None, "name"))
        found.append((m.start(), m.end(), _Entry("corridor", cid, detail)))
        named.append(m.span())
    for m in matcher.descriptions.finditer(folded):
        i = bisect.bisect_right(named, (m.start(), math.inf)) - 1
        before = i >= 0 and named[i][1] > m.start()
        after = i + 1 < len(named) and named[i + 1][0] < m.end()
        if before or after:
            continue  # part of a named corridor ("Zangezur corridor through Armenia")
        group = next(g for g, v in m.groupdict().items() if v is not None)
        cid = matcher.description_ids[group]
        found.append((m.start(), m.end(), _Entry("corridor", cid, "description")))

    hits: list[tuple[int, int, tuple[_Entry, ...]]] = []
    for m in matcher.names.finditer(folded):
        candidates = matcher.name_entries.get(_text.key(m.group()), ())
        if candidates and candidates[0].kind != "ignore":
            hits.append((m.start(), m.end(), candidates))
    countries = Counter(c[0].id for _, _, c in hits if c[0].kind == "country")
    for s, e, candidates in hits:
        entry = max(candidates, key=lambda x: countries.get(x.country or "", 0))
        if entry.kind == "place":
            i = bisect.bisect_right(named, (s, math.inf)) - 1
            if i >= 0 and named[i][1] >= e and _inside_name(folded, (s, e), named[i]):
                continue
        found.append((s, e, entry))

    order = {k: i for i, k in enumerate(KINDS)}
    found.sort(key=lambda f: (f[0], -f[1], order[f[2].kind]))  # an enclosing phrase first
    out = []
    for s, e, x in found:
        start, end = raw(s), raw(e)
        out.append(
            Mention(
                document=document,
                start=start,
                end=end,
                text=text[start:end],
                kind=x.kind,
                id=x.id,
                detail=x.detail,
                country=x.country,
                lon=x.lon,
                lat=x.lat,
                context=_context(text, start, end, width),
            )
        )
    return out


def _decode(data: bytes, shown: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:65536]:
        msg = f"{shown}: looks like a binary file (NUL bytes), not plain text; convert it first"
        raise ScanError(msg)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        _LOG.warning(
            "%s: not valid UTF-8 (first bad byte at offset %d); %d undecodable bytes read as "
            "U+FFFD, and offsets count them; save the file as UTF-8 for exact results",
            shown,
            exc.start,
            text.count("\ufffd"),
        )
        return text


def text_from_file(path: str | Path) -> str:
    """Read a plain-text document as UTF-8 (a byte-order mark is honoured).

    Bytes that are not UTF-8 are read as U+FFFD and a warning names the file; an empty
    file gives ``""`` with a warning.

    Raises
    ------
    ScanError
        If the path is missing, a folder, unreadable, binary or larger than
        :data:`MAX_BYTES`.
    """
    p = Path(path)
    shown = display_path(p)
    try:
        if p.is_dir():
            msg = f"{shown}: is a folder, not a text file; give the files in it ({shown}/*.txt)"
            raise ScanError(msg)
        size = p.stat().st_size
        if not p.is_file():
            raise ScanError(f"{shown}: not a regular file; give a plain-text file")
        if size > MAX_BYTES:
            msg = (
                f"{shown}: {size / 2**20:,.0f} MB is more than the limit of "
                f"{MAX_BYTES // 2**20} MB (scan.MAX_BYTES); split it"
            )
            raise ScanError(msg)
        data = p.read_bytes()
    except FileNotFoundError:
        raise ScanError(f"{shown}: no such file; check the path") from None
    except OSError as exc:
        raise ScanError(f"{shown}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        _LOG.warning("%s: %s; nothing to scan", shown, "empty file" if not data else "blank")
        return ""
    return _decode(data, shown)


def scan_file(path: str | Path, *, context_chars: int | None = None) -> list[Mention]:
    """Scan one plain-text file (see :func:`scan_text` and :func:`text_from_file`).

    The document name of each mention is the path as given.

    Raises
    ------
    ScanError
        If the file cannot be read as text.
    """
    text = text_from_file(path)
    return scan_text(text, document=str(path), context_chars=context_chars)


# --- summaries ----------------------------------------------------------------------------


def mentions_to_frame(mentions: Iterable[Mention]) -> pd.DataFrame:
    """One row per mention (columns as :class:`Mention`), the tool version in ``attrs``."""
    import pandas as pd

    from corridors.provenance import tool_version

    columns = [
        "document",
        "start",
        "end",
        "text",
        "kind",
        "id",
        "detail",
        "country",
        "lon",
        "lat",
        "context",
    ]
    df = pd.DataFrame([asdict(m) for m in mentions], columns=columns)
    df.attrs["provenance"] = {
        "tool": f"corridors {tool_version()}",
        "gazetteer": "geodata/places.yaml, geodata/countries.yaml",
    }
    return df


def _phrase(text: str) -> str:
    return " ".join(text.split())


def mention_summary(mentions: Iterable[Mention]) -> list[dict[str, Any]]:
    """One row per document and thing found, most mentioned first within each kind.

    Rows have ``document``, ``kind``, ``id``, ``detail``, ``country``, ``count``,
    ``phrases`` (the distinct phrases that matched), ``starts`` (offsets) and, for places,
    ``lon`` and ``lat``. Corridors with no definition are grouped by phrase.
    """
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for m in mentions:
        key = (
            m.document,
            m.kind,
            m.id,
            m.country,
            _text.key(_text.fold(m.text)) if m.id is None else "",
        )
        row = groups.get(key)
        if row is None:
            row = groups[key] = {
                "document": m.document,
                "kind": m.kind,
                "id": m.id,
                "detail": m.detail,
                "country": m.country,
                "count": 0,
                "phrases": [],
                "starts": [],
                "lon": m.lon,
                "lat": m.lat,
            }
        row["count"] += 1
        row["starts"].append(m.start)
        if _phrase(m.text) not in row["phrases"]:
            row["phrases"].append(_phrase(m.text))
        if m.kind == "corridor" and row["detail"] != m.detail:
            row["detail"] = "name" if "name" in (row["detail"], m.detail) else m.detail
    docs = list(dict.fromkeys(r["document"] for r in groups.values()))
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(
        groups.values(),
        key=lambda r: (docs.index(r["document"]), order[r["kind"]], -r["count"], r["starts"][0]),
    )


def country_counts(mentions: Iterable[Mention]) -> dict[str, int]:
    """ISO3 → number of mentions, most mentioned first (places do not count)."""
    counts = Counter(m.id for m in mentions if m.kind == "country" and m.id)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _places(mentions: Iterable[Mention]) -> list[dict[str, Any]]:
    """Places mentioned, over all documents, most mentioned first."""
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for m in mentions:
        if m.kind != "place" or m.id is None or m.lon is None or m.lat is None:
            continue
        row = rows.setdefault(
            (m.id, m.country),
            {
                "name": m.id,
                "kind": m.detail,
                "country": m.country,
                "lon": m.lon,
                "lat": m.lat,
                "count": 0,
                "first": m.start,
                "documents": [],
            },
        )
        row["count"] += 1
        if m.document not in row["documents"]:
            row["documents"].append(m.document)
    return sorted(rows.values(), key=lambda r: -r["count"])


def mentions_to_geojson(mentions: Iterable[Mention]) -> dict[str, Any]:
    """Place mentions as a GeoJSON FeatureCollection: one Point per document and place.

    Properties: ``document``, ``name``, ``place_kind``, ``country``, ``count``,
    ``phrases`` and ``starts`` (character offsets).
    """
    from corridors.provenance import tool_version

    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {
                "document": row["document"],
                "name": row["id"],
                "place_kind": row["detail"],
                "country": row["country"],
                "count": row["count"],
                "phrases": row["phrases"],
                "starts": row["starts"],
            },
        }
        for row in mention_summary(mentions)
        if row["kind"] == "place" and row["lon"] is not None
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "generator": f"corridors {tool_version()}",
    }


# --- maps ---------------------------------------------------------------------------------


def _place_layer(m: folium.Map, places: Sequence[Mapping[str, Any]]) -> Any:
    import folium as _folium

    from corridors.outputs.maps import _esc

    fm: Any = _folium
    group = fm.FeatureGroup(name="Places mentioned", show=True)
    for p in places:
        docs = ", ".join(Path(d).name for d in p["documents"])
        times = "1 mention" if p["count"] == 1 else f"{p['count']} mentions"
        fm.CircleMarker(
            [p["lat"], p["lon"]],
            radius=min(4.0 + 3.0 * math.sqrt(p["count"]), 30.0),
            color="#222222",
            weight=1,
            fill=True,
            fill_color="#ff7f00",
            fill_opacity=0.65,
            tooltip=f"<b>{_esc(p['name'])}</b> ({_esc(p['kind'])}, {_esc(p['country'])}): "
            f"{times} in {_esc(docs)}",
            class_name="scan-place",
        ).add_to(group)
    group.add_to(m)
    return group


def map_mentions(
    mentions: Sequence[Mention],
    network: Network | None = None,
    *,
    online: bool = False,
    title: str | None = None,
) -> folium.Map:
    """Draw the places the documents mention, sized by count, over the corridors they name.

    Parameters
    ----------
    mentions
        From :func:`scan_text` or :func:`scan_file`.
    network
        The network to route the corridors on (default: the embedded one around them).
    online
        Add OpenStreetMap tiles.
    title
        Page title (default: the document names).

    Raises
    ------
    ScanError
        If the documents mention neither a gazetteer place nor a shipped corridor.
    """
    from corridors import definitions
    from corridors.network.build import region_bbox
    from corridors.outputs import maps
    from corridors.routing import route_corridors

    docs = ", ".join(dict.fromkeys(Path(m.document).name for m in mentions))
    title = title or f"Places and corridors in {docs}"
    ids = list(dict.fromkeys(m.id for m in mentions if m.kind == "corridor" and m.id))
    places = _places(mentions)
    routes: list[Route] = []
    if ids:
        items = [definitions.load(i) for i in ids]
        if network is None:
            from corridors.network.build import load_network

            network = load_network(progress=False)
        routes, errors = route_corridors(items, network)
        for cid, err in errors.items():
            _LOG.warning("%s: not drawn: %s", cid, err)
    if not routes and not places:
        raise ScanError("nothing to map: no gazetteer place and no shipped corridor mentioned")
    west, south, east, north = region_bbox()
    near = [p for p in places if west <= p["lon"] <= east and south <= p["lat"] <= north]
    xs = [p["lon"] for p in near or places]
    ys = [p["lat"] for p in near or places]
    bounds = (min(xs), min(ys), max(xs), max(ys)) if xs else (180.0, 90.0, -180.0, -90.0)
    if routes:
        w, s, e, n = maps._bounds(routes)
        bounds = (min(w, bounds[0]), min(s, bounds[1]), max(e, bounds[2]), max(n, bounds[3]))
    m = maps.base_map(bounds, title=title, online=online)
    parts = maps.add_routes(m, routes) if routes else maps.MapParts(bounds=bounds)
    # the places layer goes on the map before the layer control that lists it
    places_layer = _place_layer(m, places)
    maps.finish_map(m, replace(parts, bounds=bounds, groups=(*parts.groups, places_layer)))
    result: folium.Map = m
    return result


# --- drafts -------------------------------------------------------------------------------

_DRAFT_KINDS = {"city": "via", "station": "station", "port": "port", "border_crossing": "border"}
#: Places closer than this, in km, are one waypoint in a draft (a city and its station).
DRAFT_MERGE_KM = 10.0


def _slug(name: str) -> str:
    folded = _text.fold(unicodedata.normalize("NFC", name)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _order(points: Sequence[Mapping[str, Any]]) -> list[int]:
    """Indices of the points in route order.

    Points are first sorted along their principal axis, then the chain is untangled by
    2-opt moves while that shortens its geodesic length; it runs west to east, or north to
    south when the spread is mostly north–south.
    """
    import numpy as np
    from pyproj import Geod

    n = len(points)
    lons = np.array([p["lon"] for p in points], dtype=float)
    lats = np.array([p["lat"] for p in points], dtype=float)
    xy = np.column_stack([lons * math.cos(math.radians(float(lats.mean()))), lats])
    centred = xy - xy.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0]
    east_west = abs(axis[0]) >= abs(axis[1])
    t = centred @ axis
    order = sorted(range(n), key=lambda i: (float(t[i]), points[i]["name"]))
    i_idx, j_idx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    dist = (
        Geod(ellps="WGS84")
        .inv(lons[i_idx.ravel()], lats[i_idx.ravel()], lons[j_idx.ravel()], lats[j_idx.ravel()])[2]
        .reshape(n, n)
    )

    def cost(a: int | None, b: int | None) -> float:
        return 0.0 if a is None or b is None else float(dist[a, b])

    improved = True
    while improved:
        improved = False
        for i in range(n - 1):
            for j in range(i + 1, n):
                before_i = order[i - 1] if i > 0 else None
                after_j = order[j + 1] if j + 1 < n else None
                old = cost(before_i, order[i]) + cost(order[j], after_j)
                new = cost(before_i, order[j]) + cost(order[i], after_j)
                if new < old - 1e-6:
                    order[i : j + 1] = order[i : j + 1][::-1]
                    improved = True
    first, last = order[0], order[-1]
    if (east_west and lons[first] > lons[last]) or (not east_west and lats[first] < lats[last]):
        order.reverse()
    return order


def _draft_parts(
    mentions: Sequence[Mention], name: str, mode: str
) -> tuple[dict[str, Any], list[str]]:
    from pyproj import Geod

    from corridors.definitions._validate import COUNTRY_TOLERANCE_DEFAULT_KM, COUNTRY_TOLERANCE_KM
    from corridors.geo import boundaries
    from corridors.model import Mode, Role
    from corridors.network.build import region_bbox

    slug = _slug(name)
    if not slug:
        raise ScanError(
            f"draft name {name!r} has no letters or digits; give a name like 'my-route'"
        )
    if mode not in ("rail", "road", "ferry", "sea"):
        raise ScanError(f"draft mode {mode!r} is not one of rail, road, ferry, sea")
    geod = Geod(ellps="WGS84")
    west, south, east, north = region_bbox()
    left_out: list[str] = []
    chosen: list[dict[str, Any]] = []
    for p in _places(mentions):
        label = f"{p['name']} ({p['kind']}, {p['country']})"
        if p["kind"] not in _DRAFT_KINDS:
            left_out.append(f"{label}: a {p['kind']}, not a point on a route")
            continue
        if not (west <= p["lon"] <= east and south <= p["lat"] <= north):
            left_out.append(f"{label}: outside the modelled region")
            continue
        near = next(
            (
                c
                for c in chosen
                if geod.inv(c["lon"], c["lat"], p["lon"], p["lat"])[2] < DRAFT_MERGE_KM * 1000
            ),
            None,
        )
        if near is not None:
            left_out.append(f"{label}: within {DRAFT_MERGE_KM:g} km of {near['name']}")
            continue
        role = Role(_DRAFT_KINDS[p["kind"]])
        tolerance = COUNTRY_TOLERANCE_KM.get(role, COUNTRY_TOLERANCE_DEFAULT_KM)
        if boundaries.distance_to_country_km(p["lon"], p["lat"], p["country"]) > tolerance:
            left_out.append(f"{label}: its point is outside {p['country']} on Natural Earth")
            continue
        chosen.append({**p, "role": role.value})
    if len(chosen) < 2:
        n = len(chosen)
        raise ScanError(
            f"cannot draft {name!r}: the documents mention {n} place{'s' if n != 1 else ''} "
            "usable as waypoints; a definition needs at least two"
        )
    ordered = [chosen[i] for i in _order(chosen)]
    names = Counter(p["name"] for p in ordered)
    today = dt.date.today().isoformat()
    documents = list(dict.fromkeys(m.document for m in mentions))
    sources: list[dict[str, Any]] = [
        {
            "id": f"doc-{i + 1}",
            "title": f"{Path(d).name} (title to be filled in)",
            "publisher": "unknown (to be filled in)",
            "date": today,
            "document": Path(d).name,
            "note": "Date of the scan, not of publication; replace it with the publication date.",
        }
        for i, d in enumerate(documents)
    ]
    sources.append(
        {
            "id": "gazetteer",
            "title": "Gazetteer of the corridor modeller (geodata/places.yaml)",
            "publisher": "corridor modeller project",
            "date": today,
        }
    )
    waypoints = []
    for i, p in enumerate(ordered):
        wp_role = "terminal" if i in (0, len(ordered) - 1) else p["role"]
        wp_name = p["name"] if names[p["name"]] == 1 else f"{p['name']} ({p['country']})"
        waypoints.append(
            {
                "name": wp_name,
                "lon": round(p["lon"], 5),
                "lat": round(p["lat"], 5),
                "country": p["country"],
                "role": wp_role,
                "source": "gazetteer",
            }
        )
    legs = [
        {"from": a["name"], "to": b["name"], "mode": Mode(mode).value, "status": "proposed"}
        for a, b in itertools.pairwise(waypoints)
    ]
    shown = ", ".join(Path(d).name for d in documents)
    draft = {
        "id": slug,
        "name": f"{name} (draft)",
        "kind": "corridor",
        "summary": (
            f"DRAFT made by 'corridors scan' from the places named in {shown}, in geographic "
            "order. Nothing here has been checked: the waypoints, their order, the legs, the "
            "mode and the status are placeholders for an analyst to review and edit."
        ),
        "sources": sources,
        "modes": [Mode(mode).value],
        "waypoints": waypoints,
        "legs": legs,
    }
    return draft, left_out


def draft_definition(
    mentions: Sequence[Mention], name: str, *, mode: str = "rail"
) -> dict[str, Any]:
    """A draft corridor definition from the places the documents mention.

    Waypoints are the gazetteer places mentioned (cities, stations, ports, border
    crossings; not regions or rivers, nor places outside the modelled region), one per
    :data:`DRAFT_MERGE_KM`, ordered along the principal axis of their positions (west to
    east, or north to south). Every leg is ``proposed`` on ``mode``. The result passes
    :func:`corridors.definitions.corridor_from_file` once written; it holds no text from
    the documents, only place names and the documents' file names.

    Parameters
    ----------
    mentions
        From :func:`scan_text` or :func:`scan_file`.
    name
        Display name; the id is its slug.
    mode
        ``rail`` (default), ``road``, ``ferry`` or ``sea``.

    Raises
    ------
    ScanError
        If fewer than two usable places are mentioned, or the name or mode is invalid.
    """
    return _draft_parts(mentions, name, mode)[0]


def draft_to_yaml(draft: Mapping[str, Any], *, left_out: Sequence[str] = ()) -> str:
    """YAML text of a draft, opening with comments that say it is a draft."""
    import textwrap

    import yaml

    sources = ", ".join(s["document"] for s in draft["sources"] if s.get("document"))
    lines = [
        f"# DRAFT corridor definition, written by 'corridors scan' on {dt.date.today()}.",
        *textwrap.wrap(
            f"From the places named in: {sources}.",
            width=88,
            initial_indent="# ",
            subsequent_indent="#   ",
            break_on_hyphens=False,
        ),
        "# It is a starting point, not a checked definition: the waypoints are the places the",
        "# documents name, ordered by geography only, and every leg is a placeholder.",
        "# Edit it, then check it with: corridors validate FILE",
    ]
    if left_out:
        lines.append("# Places named but not used as waypoints:")
        lines.extend(f"#   {item}" for item in left_out)
    body = yaml.safe_dump(dict(draft), sort_keys=False, allow_unicode=True, width=88)
    return "\n".join(lines) + "\n" + body


def draft_yaml(mentions: Sequence[Mention], name: str, *, mode: str = "rail") -> str:
    """:func:`draft_definition` as commented YAML text, checked to validate.

    Raises
    ------
    ScanError
        If no draft can be made.
    """
    from corridors._errors import DefinitionError
    from corridors.definitions._validate import corridor_from_mapping

    draft, left_out = _draft_parts(mentions, name, mode)
    text = draft_to_yaml(draft, left_out=left_out)
    try:
        import yaml

        corridor_from_mapping(yaml.safe_load(text), path=Path(f"{draft['id']}.yaml"))
    except DefinitionError as exc:  # pragma: no cover - a bug in the draft builder
        raise ScanError(f"the draft does not validate: {exc}") from exc
    return text


def write_draft(
    mentions: Sequence[Mention],
    name: str,
    *,
    mode: str = "rail",
    path: str | Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Write :func:`draft_yaml` to a file, atomically.

    Parameters
    ----------
    path
        Output file (default: the name's slug + ``.yaml`` in the working folder).
    overwrite
        Replace an existing regular file (never a device, FIFO, link or folder).

    Raises
    ------
    ScanError
        If the file exists and ``overwrite`` is false, or no draft can be made.
    corridors._errors.OutputPathError
        If the path is a device, FIFO, socket, symbolic link or folder.
    """
    from corridors._io import atomic_write_text, check_output_path

    draft, _ = _draft_parts(mentions, name, mode)
    out = Path(path) if path is not None else Path(f"{draft['id']}.yaml")
    check_output_path(out)
    if out.exists() and not overwrite:
        msg = f"{display_path(out)} exists; choose another path (--out) or overwrite (--force)"
        raise ScanError(msg)
    atomic_write_text(out, draft_yaml(mentions, name, mode=mode))
    return out
