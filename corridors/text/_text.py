"""Text normalisation and trie regular expressions for :mod:`corridors.text.scan`.

Folding keeps a text's length, so a match in the folded text has the same offsets in the
original; the two rewrites that change the length (Unicode NFC composition and joining
words hyphenated over a line break) return an :class:`Offsets` map back to the original.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

__all__ = [
    "WORD_START",
    "Offsets",
    "atoms",
    "fold",
    "fold_char",
    "join_hyphenated",
    "key",
    "nfc",
    "phrase_key",
    "trie_alternatives",
]

# --- normalisation ------------------------------------------------------------------------

_APOSTROPHES = "\u2018\u2019\u201b\u02bc\u02bb\u2032\u00b4"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACES = "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
#: Cyrillic letters read as the Latin letters they look like.
_HOMOGLYPHS = dict(zip("аеорсхуіјѕАВЕКМНОРСТХУІЈЅ", "aeopcxyijsABEKMHOPCTXYIJS", strict=True))
_SPECIAL: dict[str, str] = {
    "ı": "i",
    "ə": "e",
    "Ə": "E",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    **dict.fromkeys(_APOSTROPHES, "'"),
    **dict.fromkeys(_DASHES, "-"),
    **dict.fromkeys(_SPACES, " "),
    **_HOMOGLYPHS,
}
_MARKS = "\u0300-\u036f\u0483-\u0487\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_CLUSTER = re.compile(f"[^{_MARKS}][{_MARKS}]+")
_LINE_BREAK_HYPHEN = re.compile(
    "|".join(rf"{h}[ \t]*\r?\n[ \t]*(?=[^\W\d_])" for h in ("-", "\u2010", "\u00ad")) + "|\u00ad"
)


@functools.cache
def fold_char(ch: str) -> str:
    """One character without accents, as ASCII punctuation, Latin for Latin look-alikes."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if len(base) != 1:
        return ch
    return _SPECIAL.get(base, base)


def fold(text: str) -> str:
    """Fold accents, dashes, apostrophes and look-alikes; the length does not change."""
    if text.isascii():
        return text
    table = {c: f for c in set(text) if not c.isascii() and (f := fold_char(c)) != c}
    if not table:
        return text
    # a regex substitution costs per replaced character; str.translate costs per character
    chars = re.compile("[" + "".join(re.escape(c) for c in table) + "]")
    return chars.sub(lambda m: table[m.group()], text)


class Offsets:
    """Map positions in a rewritten text back to the text it came from."""

    def __init__(self) -> None:
        self.new: list[int] = [0]
        self.old: list[int] = [0]

    def add(self, new: int, old: int) -> None:
        self.new.append(new)
        self.old.append(old)

    def __call__(self, pos: int) -> int:
        i = bisect.bisect_right(self.new, pos) - 1
        return self.old[i] + (pos - self.new[i])


def nfc(text: str) -> tuple[str, Offsets | None]:
    """Compose accents written as separate combining marks (Unicode NFC)."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    parts: list[str] = []
    offsets = Offsets()
    old = new = 0
    for m in _CLUSTER.finditer(text):
        part = unicodedata.normalize("NFC", text[old : m.start()])
        cluster = unicodedata.normalize("NFC", m.group())
        parts += [part, cluster]
        new += len(part) + len(cluster)
        old = m.end()
        offsets.add(new, old)
    parts.append(unicodedata.normalize("NFC", text[old:]))
    return "".join(parts), offsets


def join_hyphenated(text: str) -> tuple[str, Offsets | None]:
    """Join words split over two lines by a hyphen, and drop soft hyphens.

    A line-end hyphen is dropped only when the next line goes on in lower case, so
    "Baku-" / "Tbilisi" keeps its hyphen.
    """
    parts: list[str] = []
    offsets = Offsets()
    old = new = 0
    for m in _LINE_BREAK_HYPHEN.finditer(text):
        joins = text[m.end()].islower() and text[m.start() - 1 : m.start()].isalpha()
        if m.group() != "\u00ad" and not joins:
            continue
        parts.append(text[old : m.start()])
        new += m.start() - old
        old = m.end()
        offsets.add(new, old)
    if not parts:
        return text, None
    parts.append(text[old:])
    return "".join(parts), offsets


_SEPARATORS = re.compile(r"[\s\-]+")


@functools.lru_cache(maxsize=65536)
def key(phrase: str) -> str:
    """Lookup key of a folded phrase: case, hyphens and spacing do not count."""
    return _SEPARATORS.sub(" ", phrase).strip().casefold()


def phrase_key(phrase: str) -> str:
    """Lookup key of a name as written in the gazetteer or a definition."""
    return key(fold(unicodedata.normalize("NFC", phrase)))


# --- patterns -----------------------------------------------------------------------------

_SEP = ("sep", False)
_SEP_RE = r"(?:\s*-\s*|\s+)"
WORD_START = r"(?<!\w[\s\S])"  # after the first character: the one before it is no word character


def atoms(phrase: str, *, first_sensitive: bool = True) -> list[tuple[str, bool]]:
    """Split a phrase into (character, case-sensitive) atoms and separators.

    The first letter is case-sensitive (unless ``first_sensitive`` is false); a word with a
    capital after its first letter ("US", "U.S.", "EaP") is case-sensitive throughout.
    """
    folded = fold(unicodedata.normalize("NFC", phrase.strip()))
    out: list[tuple[str, bool]] = []
    for word in re.split(r"[\s\-]+", folded):
        if not word:
            continue
        if out:
            out.append(_SEP)
        exact = any(c.isupper() for c in word[1:])
        for c in word:
            sensitive = exact or (not out and first_sensitive) or c.lower() == c.upper()
            out.append((c if sensitive else c.lower(), sensitive))
    return out


def _atom_re(atom: tuple[str, bool]) -> str:
    if atom == _SEP:
        return _SEP_RE
    c, sensitive = atom
    lo, up = c.lower(), c.upper()
    if sensitive or len(lo) != 1 or len(up) != 1 or lo == up:
        return re.escape(c)
    return f"[{re.escape(lo)}{re.escape(up)}]"


_Trie = dict[tuple[str, bool], "_Trie"]
_END = ("", True)


def _emit(node: _Trie) -> str:
    alts = [_atom_re(a) + _emit(child) for a, child in sorted(node.items()) if a != _END]
    if not alts:
        return ""
    if len(alts) == 1 and _END not in node:
        return alts[0]
    body = "(?:" + "|".join(alts) + ")"
    return body + "?" if _END in node else body


def trie_alternatives(phrases: Iterable[Sequence[tuple[str, bool]]]) -> list[str]:
    """Top-level alternatives of a trie regex, each starting with a literal character.

    Python's ``re`` skips quickly to the characters that can start a match when every
    top-level alternative starts with a literal, so a case-insensitive first letter is
    written as two alternatives; the word-start check comes after the first character.
    """
    root: _Trie = {}
    for atoms in phrases:
        if not atoms:
            continue
        node = root
        for a in atoms:
            node = node.setdefault(a, {})
        node[_END] = {}
    alts: list[str] = []
    for (c, sensitive), child in sorted(root.items()):
        firsts = [c] if sensitive or c.lower() == c.upper() else [c.lower(), c.upper()]
        alts.extend(re.escape(f) + WORD_START + _emit(child) for f in dict.fromkeys(firsts))
    return alts
