"""What each role may see: offices and colleagues of their region (admins: everything)."""

from sqlalchemy import Select, select

from backend.models import Office, Operator


def offices_query(operator: Operator) -> Select[tuple[Office]]:
    """Offices the operator may see and transfer to, by region then name."""
    query = select(Office).order_by(Office.region, Office.name)
    if operator.role == "admin":
        return query
    if operator.region is None:
        # An operator without a region still sees the offices assigned to them.
        return query.where(Office.id.in_([o.id for o in operator.offices]))
    return query.where(Office.region == operator.region)


def colleagues_query(operator: Operator) -> Select[tuple[Operator]]:
    """Active operators and supervisors one may hand a conversation to (not oneself)."""
    query = (
        select(Operator)
        .where(
            Operator.active.is_(True),
            Operator.role.in_(("operator", "supervisor")),
            Operator.id != operator.id,
        )
        .order_by(Operator.display_name)
    )
    if operator.role != "admin":
        query = query.where(Operator.region == operator.region)
    return query
