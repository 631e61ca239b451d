"""Wire formats of the backend's API (pydantic models, documented in OpenAPI), by feature."""

from backend.api.schemas.offices import CompetentOfficeOut, ComuneOut, OfficeOut

__all__ = ["CompetentOfficeOut", "ComuneOut", "OfficeOut"]
