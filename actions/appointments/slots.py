"""Names of the appointment slots (bot/domain/appointments.yml)."""

SERVICE = "appointment_service"  # service code, e.g. "accoglienza_did"
COMUNE = "comune"  # shared with the office form (core.yml)
OFFICE = "appointment_office"  # office code, e.g. "cpi-cosenza"
WHEN = "appointment_when"  # the citizen's words: "giovedì mattina"
OFFER = "appointment_offer"  # the slots shown (see offer.py)
SLOT = "appointment_slot"  # chosen start time, ISO 8601 with offset
CONFIRMED = "appointment_confirmed"
TAX_CODE = "appointment_tax_code"  # normalised; cleared as soon as the flow ends
NAME = "appointment_name"  # name and surname, for the booking only; cleared likewise
CONTACT = "appointment_contact"  # {"kind": "phone" | "email", "value"}; cleared likewise
CODE = "appointment_code"  # confirmation code of an existing booking
DETAILS = "appointment_details"  # names and addresses to show (service, office choices)
BOOKING = "appointment_booking"  # the booking made, found or moved (backend's answer)

# Everything a flow leaves behind; cleared when it ends and when the next one starts.
FLOW_SLOTS = (
    SERVICE,
    OFFICE,
    WHEN,
    OFFER,
    SLOT,
    CONFIRMED,
    TAX_CODE,
    NAME,
    CONTACT,
    CODE,
    DETAILS,
    BOOKING,
)
