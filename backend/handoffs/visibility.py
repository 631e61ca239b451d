"""Who may see which handoff: the rule every console route and the WebSocket apply.

- operator: the handoffs of their own offices, and their region's shared queue;
- supervisor: every handoff of their region;
- admin: all.

An operator never sees another office's conversations. A handoff's `region` is always
set (its office's region, or the shared queue's), so the rule needs no join.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, true

from backend.models import Handoff, Operator


@dataclass(frozen=True)
class Viewer:
    """What the rule needs to know of an operator, detached from the database session."""

    operator_id: int
    role: str
    regions: frozenset[str]
    office_ids: frozenset[int]

    @classmethod
    def of(cls, operator: Operator) -> "Viewer":
        offices = list(operator.offices)
        # Without a region of their own, an operator belongs to their offices' regions.
        regions = {operator.region} if operator.region else {o.region for o in offices}
        return cls(
            operator_id=operator.id,
            role=operator.role,
            regions=frozenset(regions),
            office_ids=frozenset(o.id for o in offices),
        )

    def can_see(self, office_id: int | None, region: str | None) -> bool:
        if self.role == "admin":
            return True
        if self.role == "supervisor":
            return region in self.regions
        if office_id is not None:
            return office_id in self.office_ids
        return region in self.regions

    def sees(self, handoff: Handoff) -> bool:
        return self.can_see(handoff.office_id, handoff.region)

    def clause(self) -> ColumnElement[bool]:
        """The same rule as a WHERE clause on handoffs."""
        if self.role == "admin":
            return true()
        in_region = Handoff.region.in_(self.regions) if self.regions else false()
        if self.role == "supervisor":
            return in_region
        own_offices = Handoff.office_id.in_(self.office_ids) if self.office_ids else false()
        return or_(own_offices, and_(Handoff.office_id.is_(None), in_region))
