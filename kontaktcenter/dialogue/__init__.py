"""The conversation layer: context, follow-ups and replies, without Rasa imports."""

from kontaktcenter.dialogue.model import Button, Context, Message, Reply, Turn
from kontaktcenter.dialogue.router import Deps, respond

__all__ = ["Button", "Context", "Deps", "Message", "Reply", "Turn", "respond"]
