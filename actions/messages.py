"""Italian texts the actions share. Texts of a single feature live beside it."""

BACKEND_DOWN = (
    "Mi dispiace, in questo momento non riesco a recuperare le informazioni: "
    "il servizio è temporaneamente non disponibile. Riprova tra qualche minuto, "
    'oppure scrivi "operatore" per parlare con una persona.'
)
