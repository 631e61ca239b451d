"""Italian renderings of numbers, dates and the templates in the data files."""

import string
from datetime import date


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def fill(template: str, **values: str) -> str:
    """The template with {value}, {min}, {max}, {name}... filled; "?" for anything unset."""
    return string.Formatter().vformat(template, (), _Blank(values))


def italian_number(number: float) -> str:
    """10140 -> "10.140", 1584.7 -> "1.584,70" (thousands dot, decimal comma)."""
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", ".")
    return f"{number:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def italian_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")
