"""Lantern's clinical safety case (NHS DCB0129): the hazard log as data, its checks, its report.

`hazards.yml` is the hazard log; `log.py` loads it and refuses a hazard that lacks a
field, a risk the DCB0129 matrix does not give, or evidence that names a test that
does not exist; `render.py` writes `docs/safety-case.md` (`python -m safety_case`).
"""
