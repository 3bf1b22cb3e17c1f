"""`python -m safety_case`: check the hazard log and write docs/safety-case.md."""

from safety_case.render import main

raise SystemExit(main())
