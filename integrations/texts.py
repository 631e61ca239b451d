"""What the gateway itself says to citizens (everything else comes from the assistant)."""

from integrations.messages import Button, Reply

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


# Handoff to an operator (docs/handoff.md).
HANDOFF_FORWARDED = Reply(
    text=(
        "Il tuo messaggio è stato inoltrato: un operatore ti risponderà appena possibile. "
        "Scrivi «annulla» per tornare all'assistente."
    )
)
HANDOFF_CANCELLED = Reply(
    text=(
        "Va bene, ho annullato la richiesta di parlare con un operatore. Sei di nuovo con "
        "l'assistente virtuale: come posso aiutarti?"
    ),
    buttons=[
        Button(title="Cosa puoi fare?", payload="/help"),
        Button(title="Trova il tuo CPI", payload="/office_info"),
    ],
)
HANDOFF_NOT_FORWARDED = Reply(
    text=(
        "Mi dispiace, in questo momento non riesco a inoltrare il tuo messaggio "
        "all'operatore. Riprova tra qualche istante, per favore."
    )
)


# Shown to the operator in the console when a message could not be delivered.
def channel_unavailable(channel: str) -> str:
    return (
        f"Il canale «{channel}» non è attivo su questo sportello: il messaggio non è stato "
        "consegnato. Contatta il cittadino in un altro modo."
    )


def delivery_gave_up(attempts: int) -> str:
    return (
        f"Il canale del cittadino non ha risposto dopo {attempts} tentativi: il messaggio "
        "non è stato consegnato. Riprova più tardi o contatta il cittadino in un altro modo."
    )
