"""Columns of an import file: matching headers in Chinese or English, and reading cells."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from ..domain.messages import Message, msg
from .tables import ImportRejected, Problem, Table, taking_turns

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Column:
    """A column an import understands; ``header`` is translated for the template file."""

    key: str
    header: Message
    required: bool = False
    example: str = ""
    #: the longest text the database column holds
    max_length: int = 200


def normalise(text: str) -> str:
    """Compare words loosely: no spaces, no case, half-width brackets."""
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text).lower()


class Vocabulary:
    """Every spelling a file may use for a header or a code: the code itself, its English
    label, its label in each interface language, and listed synonyms."""

    def __init__(
        self,
        spellings_of: Callable[[Message], Iterable[str]],
        labels: Mapping[StrEnum, Message],
        synonyms: Mapping[StrEnum, tuple[str, ...]],
    ) -> None:
        self._spellings_of = spellings_of
        self._labels = labels
        self._synonyms = synonyms
        #: each enum's words, found once per import rather than once per cell
        self._codes: dict[type[StrEnum], dict[str, StrEnum]] = {}

    def spellings(self, message: Message) -> set[str]:
        return {normalise(s) for s in (message.template, *self._spellings_of(message))}

    def preferred(self, message: Message) -> str:
        """The spelling to show a person: the first interface language's."""
        return next(iter(self._spellings_of(message)), message.template)

    def code(self, enum: type[E], text: str) -> E | None:
        """The member of ``enum`` that ``text`` names, or None."""
        codes = self._codes.get(enum)
        if codes is None:
            codes = self._codes[enum] = {}
            for member in enum:  # a word two members share names the first
                words = {normalise(member.value), *self._synonyms_normalised(member)}
                if member in self._labels:
                    words |= self.spellings(self._labels[member])
                for word in words:
                    codes.setdefault(word, member)
        return codes.get(normalise(text))

    def choices(self, enum: type[StrEnum]) -> str:
        """The preferred words for an enum, to list in an error message."""
        return "、".join(
            sorted(
                {next(iter(self._spellings_of(self._labels[m]))) for m in enum if m in self._labels}
            )
        )

    def _synonyms_normalised(self, member: StrEnum) -> set[str]:
        return {normalise(s) for s in self._synonyms.get(member, ())}


#: columns a village office's own sheets usually carry that the import does not need: read
#: past, not refused (a typo in a needed column is still refused as unknown)
IGNORED_HEADERS = frozenset(
    normalise(h)
    for h in (
        "序号",
        "编号",
        "No.",
        "No",
        "#",
        "联系电话",
        "电话",
        "手机",
        "手机号",
        "手机号码",
        "联系方式",
        "备注",
        "签名",
        "Phone",
        "Notes",
    )
)


class RowReader:
    """Reads the cells of one table column by column, collecting every problem on the way."""

    def __init__(self, table: Table, columns: tuple[Column, ...], vocabulary: Vocabulary) -> None:
        self.problems: list[Problem] = []
        self.vocabulary = vocabulary
        self._columns = {c.key: c for c in columns}
        self._index: dict[str, int] = {}
        self._header_text: dict[str, str] = {}
        known = {c.key: vocabulary.spellings(c.header) | {normalise(c.key)} for c in columns}
        for position, header in enumerate(table.headers):
            if not header:
                continue
            key = next((k for k, words in known.items() if normalise(header) in words), None)
            if key is None and normalise(header) in IGNORED_HEADERS:
                continue
            if key is None:
                self.problems.append(
                    Problem(1, header, msg("Unknown column: %(header)s.", header=header))
                )
            elif key in self._index:
                self.problems.append(
                    Problem(1, header, msg("The column %(header)s appears twice.", header=header))
                )
            else:
                self._index[key] = position
                self._header_text[key] = header
        for column in columns:
            if column.required and column.key not in self._index:
                self.problems.append(
                    Problem(
                        1,
                        self.header_of(column.key),
                        msg("Required column is missing: %(header)s.", header=column.header),
                    )
                )
        self._rows = table.rows

    @property
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """The data rows with their numbers, in order (a long file lets other work run)."""
        return taking_turns(self._rows)

    def header_of(self, key: str) -> str:
        """The column's header as the file writes it, or the template's header if absent."""
        return self._header_text.get(key) or self.vocabulary.preferred(self._columns[key].header)

    def is_template_example(self, row: int, cells: list[str]) -> bool:
        """Whether this row is the blank file's example, left in: refused, with its row, so
        the example person is never imported as a real one."""
        shown = [
            (position, column.example)
            for key, position in self._index.items()
            if (column := self._columns[key]).example
        ]
        if len(shown) < 2 or any(
            (cells[p] if p < len(cells) else "") != example for p, example in shown
        ):
            return False
        self.problems.append(
            Problem(
                row,
                None,
                msg(
                    "This row is the blank file's example (%(example)s): delete it, then "
                    "import the file again.",
                    example=" ".join(example for _p, example in shown[:2]),
                ),
            )
        )
        return True

    def has(self, key: str) -> bool:
        return key in self._index

    def text(self, row: int, cells: list[str], key: str) -> str:
        """The cell's text ('' if the column is absent); a required column must not be blank."""
        position = self._index.get(key)
        value = cells[position] if position is not None and position < len(cells) else ""
        column = self._columns[key]
        if not value and column.required and position is not None:
            self.problem(row, key, msg("This cell must not be empty."))
        if len(value) > column.max_length:
            self.problem(
                row, key, msg("Longer than %(length)d characters.", length=column.max_length)
            )
            return value[: column.max_length]
        return value

    def code(
        self, row: int, cells: list[str], key: str, enum: type[E], default: E | None
    ) -> E | None:
        """A cell naming a code of ``enum``; blank gives ``default``."""
        value = self.text(row, cells, key)
        if not value:
            return default
        found = self.vocabulary.code(enum, value)
        if found is None:
            self.problem(
                row,
                key,
                msg(
                    "Unknown value %(value)s; use one of: %(choices)s.",
                    value=value,
                    choices=self.vocabulary.choices(enum),
                ),
            )
        return found

    def whole_number(
        self, row: int, cells: list[str], key: str, minimum: int, maximum: int
    ) -> int | None:
        value = self.text(row, cells, key)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not minimum <= number <= maximum:
            self.problem(
                row,
                key,
                msg(
                    "%(value)s is not a whole number from %(minimum)d to %(maximum)d.",
                    value=value,
                    minimum=minimum,
                    maximum=maximum,
                ),
            )
            return None
        return number

    def problem(self, row: int, key: str, message: Message) -> None:
        self.problems.append(Problem(row, self.header_of(key), message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ImportRejected(self.problems)
