"""What the gateway itself says to citizens (everything else comes from the assistant)."""

from integrations.messages import Reply

EMPTY_MESSAGE = Reply(text="Il messaggio è vuoto: scrivi la tua domanda e te la giro.")
ONLY_TEXT = Reply(
    text=(
        "Per ora capisco solo i messaggi scritti: foto, audio, adesivi e documenti non "
        "riesco a leggerli. Scrivimi la tua domanda con un messaggio di testo, per favore."
    )
)
RATE_LIMITED = Reply(
    text=(
        "Stai inviando molti messaggi in poco tempo: aspetta un minuto e poi scrivimi di "
        "nuovo, ti rispondo volentieri."
    )
)
STILL_WORKING = Reply(
    text="Sto ancora rispondendo al tuo messaggio precedente: riprova tra qualche secondo."
)


def too_long(max_chars: int) -> Reply:
    return Reply(
        text=(
            f"Il messaggio è troppo lungo: riassumilo in meno di {max_chars} caratteri, per favore."
        )
    )
