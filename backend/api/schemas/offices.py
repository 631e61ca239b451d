"""Offices and comuni on the wire."""

from pydantic import BaseModel, ConfigDict


class OfficeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    region: str
    province: str
    comune: str
    address: str | None
    phone: str | None
    email: str | None
    opening_hours: dict[str, list[list[str]]]
    hours_verified: bool
    services: list[str]
    notes: str | None
    verified: bool
    sources: list[str]


class ComuneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    istat_code: str
    name: str
    province: str
    region: str


class CompetentOfficeOut(BaseModel):
    """The answer to "which CPI serves this comune?"."""

    comune: ComuneOut
    # False when the comune is outside the regions this service covers.
    covered: bool
    office: OfficeOut | None
    # Why the office is closed today although its weekly hours say open (a public
    # holiday, the patron saint, an extraordinary closure); None otherwise.
    closed_today: str | None = None
    # Other CPI in the same comune (Roma has several).
    other_offices: list[OfficeOut]
