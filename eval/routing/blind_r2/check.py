"""Check blind set R2: YAML loads, ids unique, every expected id is in the catalog.

Why: the catalog (content-spec.md) is the label space; a typo in an expect id
would silently count as a routing failure. Also reports per-id coverage.
Usage: python3 check.py [path/to/content-spec.md]
"""
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SPEC = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/content-spec.md")


def catalog_ids(text: str) -> tuple[set[str], set[str]]:
    """Return (answer ids from sections A-F, scripted reply ids) from table rows."""
    answers, scripted, section = set(), set(), None
    for line in text.splitlines():
        if line.startswith("### "):
            section = "answers"
        elif line.startswith("## Scripted"):
            section = "scripted"
        elif line.startswith("## "):
            section = None
        m = re.match(r"\|\s*`([a-z0-9_]+)`\s*\|", line)
        if m and section == "answers":
            answers.add(m.group(1))
        elif m and section == "scripted":
            scripted.add(m.group(1))
    return answers, scripted


def main() -> int:
    answers, scripted = catalog_ids(SPEC.read_text())
    valid = answers | scripted
    errors: list[str] = []
    cases = yaml.safe_load((HERE / "cases.yml").read_text())
    mt = yaml.safe_load((HERE / "multiturn.yml").read_text())
    personas = set(re.findall(r"\*\*(p\d\d) ", (HERE / "personas.md").read_text()))
    for doc in (cases, mt):
        if doc.get("status") != "blind" or "writer" not in doc or "date" not in doc:
            errors.append("header missing writer/date/status")
    single, allc, n_all = Counter(), Counter(), 0
    ids = [c["id"] for c in cases["cases"]]
    for c in cases["cases"]:
        if c["persona"] not in personas:
            errors.append(f"{c['id']}: unknown persona {c['persona']}")
        keys = [k for k in ("expect", "expect_all") if k in c]
        if len(keys) != 1:
            errors.append(f"{c['id']}: needs exactly one of expect/expect_all")
            continue
        exp = c[keys[0]]
        if keys[0] == "expect_all":
            n_all += 1
            if len(exp) < 2 or len(set(exp)) != len(exp):
                errors.append(f"{c['id']}: expect_all needs >=2 distinct ids")
            allc.update(exp)
        else:
            single.update(exp)
        errors += [f"{c['id']}: unknown id {e}" for e in exp if e not in valid]
    n_turns = 0
    for conv in mt["conversations"]:
        ids.append(conv["id"])
        if conv["persona"] not in personas:
            errors.append(f"{conv['id']}: unknown persona")
        if not 2 <= len(conv["turns"]) <= 4:
            errors.append(f"{conv['id']}: needs 2-4 turns")
        for t in conv["turns"]:
            n_turns += 1
            errors += [f"{conv['id']}: unknown id {e}" for e in t["expect"] if e not in valid]
    dup = [i for i, n in Counter(ids).items() if n > 1]
    errors += [f"duplicate id {d}" for d in dup]
    thin = sorted(a for a in answers if single[a] < 5)
    errors += [f"answer id {a} has {single[a]} single-expect cases (<5)" for a in thin]
    print(f"catalog: {len(answers)} answer ids, {len(scripted)} scripted ids")
    print(f"cases: {len(cases['cases'])} ({n_all} expect_all); personas used: "
          f"{len({c['persona'] for c in cases['cases']})}/{len(personas)}")
    print(f"multiturn: {len(mt['conversations'])} conversations, {n_turns} turns")
    print("scripted coverage (single expect):",
          {s: single[s] for s in sorted(scripted) if single[s]})
    print("answer ids never in expect_all:", len([a for a in answers if not allc[a]]))
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
