"""Response members shared by several operations."""
from __future__ import annotations


def timestamp(value):
    """AWS JSON 1.0 timestamps: epoch seconds, fractional."""
    return None if value is None else value.timestamp()


def compact(members: dict) -> dict:
    """Drop absent (None) members: AWS leaves them out rather than sending null."""
    return {key: value for key, value in members.items() if value is not None}


def tag_list(tags: dict) -> list[dict]:
    return [{"key": key, "value": value} for key, value in tags.items()]


def encryption() -> dict:
    return {"type": "AWS_OWNED_KEY"}
