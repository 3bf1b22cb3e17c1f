"""Lantern's input channels: Rasa's REST and socket.io channels behind one input guard."""
