"""Rasa-server-side parts of Lantern: NLU components, the safety screen, channels and NLG."""
