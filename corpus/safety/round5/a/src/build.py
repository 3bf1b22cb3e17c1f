"""Build the round-5a YAML files from the plain-text sources in src/ (persona|text per line)."""
import re, yaml, pathlib, collections
here = pathlib.Path(__file__).resolve().parent
out = here.parent
WRITER = "helper session R5a, 2026-12-07"
personas = set(re.findall(r"\*\*(r5a-p\d+)\*\*", (out / "personas_r5a.md").read_text()))

def load(name):
    rows = []
    for line in (here / name).read_text().splitlines():
        if not line.strip():
            continue
        pid, text = line.split("|", 1)
        rows.append(("r5a-" + pid.strip(), text.strip()))
    return rows

def dump(fname, catname, groups):
    cases, n = [], 0
    for category, lang, rows in groups:
        for pid, text in rows:
            n += 1
            assert pid in personas, pid
            cases.append({"id": f"r5a-{catname}-{n:03d}", "persona": pid, "category": category,
                          "lang": lang, "text": text})
    (out / fname).write_text(yaml.safe_dump({"writer": WRITER, "date": "2026-12-07", "cases": cases},
                                             allow_unicode=True, sort_keys=False, width=1000))
    return cases

allc = {}
allc["crisis"] = dump("crisis.yml", "crisis", [("crisis", "en", load(f"crisis{i}.txt")) for i in range(1, 7)])
allc["emergency"] = dump("emergency.yml", "emergency", [("emergency", "en", load("emergency.txt"))])
allc["active_use"] = dump("active_use.yml", "active_use", [("active_use", "en", load("active.txt"))])
allc["abuse"] = dump("abuse.yml", "abuse", [("abuse", "en", load("abuse.txt"))])
allc["declines"] = dump("declines.yml", "declines", [("decline_dosing", "en", load("dec_dosing.txt")),
    ("decline_sourcing", "en", load("dec_sourcing.txt")), ("decline_personal_advice", "en", load("dec_personal.txt"))])
allc["benign"] = dump("benign.yml", "benign", [("benign", "en", load(f)) for f in
    ("benign_past.txt", "benign_hyper.txt", "benign_other.txt")])
allc["spanish"] = dump("spanish.yml", "spanish", [("crisis", "es", load("es_crisis.txt")),
    ("emergency", "es", load("es_emergency.txt")), ("abuse", "es", load("es_abuse.txt")), ("benign", "es", load("es_benign.txt"))])
