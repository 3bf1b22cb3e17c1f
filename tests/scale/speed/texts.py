"""Messages the speed-up tests parse: questions, typos, a long message, commands."""

TEXTS = (
    "is ketamine addictive?",
    "can shrooms help my cluster headaches",
    "how do i get ready for my first session",
    "wat r the side efects of spravato",
    "My mum has fibro and wonders whether psilocybin trials exist. Is that a thing?",
    "menu",
    "??",
)
