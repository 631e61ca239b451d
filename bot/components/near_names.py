"""Names found again when a citizen misspells them by one letter ("cosnza" -> "cosenza").

A symmetric-deletion index (the SymSpell idea): every name is filed under itself and
under each string it gives with one letter deleted; a query looks up itself and its own
one-letter deletions, and the candidates are checked for one edit (a letter added,
dropped, changed, or two neighbours swapped). That is a few dictionary lookups per word,
where difflib's comparison with every comune of the same initial took milliseconds.

A word only matches a name when exactly one name is that close: "Cosnza" is Cosenza, but
a typo that is one letter from two comuni is left alone rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def deletions(word: str) -> set[str]:
    """The strings `word` gives with one character deleted."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """True when `a` becomes `b` by at most one insertion, deletion, substitution or
    swap of two neighbouring characters."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


class NearNames:
    """Names, each also found from a string one edit away."""

    def __init__(self, names: Iterable[str]) -> None:
        self._index: dict[str, set[str]] = defaultdict(set)
        for name in names:
            self._index[name].add(name)
            for deleted in deletions(name):
                self._index[deleted].add(name)
        self._index = dict(self._index)

    def near(self, word: str) -> list[str]:
        """Every name within one edit of `word`, the word itself included if it is one."""
        candidates: set[str] = set(self._index.get(word, ()))
        for deleted in deletions(word):
            candidates |= self._index.get(deleted, set())
        return sorted(name for name in candidates if within_one_edit(word, name))

    def closest(self, word: str) -> str | None:
        """The one name within one edit of `word` (the word itself if it is a name), or
        None when there is none or more than one."""
        if word in self._index.get(word, ()):
            return word
        near = self.near(word)
        return near[0] if len(near) == 1 else None

    def near_any(self, words: Iterable[str]) -> set[str]:
        """The words that are within one edit of some name without being one."""
        return {word for word in words if word not in self._index.get(word, ()) and self.near(word)}
