"""Everything about safety on the Rasa-server side: the screen, helplines and the audit log.

Safety replies are domain responses driven by rules (`data/safety/rules.yml`), so
they are served even when the action server is down.
"""
