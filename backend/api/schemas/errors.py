"""Error bodies: every error the API returns is JSON with an Italian `detail`."""

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str = Field(description="Il campo della richiesta che non va, es. «body.tax_code».")
    message: str = Field(description="Che cosa non va, in italiano.")


class ErrorOut(BaseModel):
    detail: str = Field(description="Il problema, in italiano, da mostrare o riformulare.")
    errors: list[FieldError] | None = Field(
        None, description="Per le richieste non valide (422): un elemento per campo."
    )


COMMON_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Token di servizio mancante o non valido."},
    422: {"model": ErrorOut, "description": "Richiesta non valida (dettaglio in italiano)."},
}
