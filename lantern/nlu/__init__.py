"""Custom Rasa NLU components built on spaCy's blank English pipeline."""
