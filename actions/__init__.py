"""Lantern's action server: answers from the vetted knowledge base."""
