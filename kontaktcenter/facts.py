"""Contact facts (phone, address, channels) loaded from ``config/contact.yml``.

Kept out of code and out of the Rasa domain so that a change of phone number is one
edit, and so that a test can hold every fact against the source text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml


@dataclass(frozen=True)
class ContactFacts:
    name: str
    phone: str
    address: str
    city: str
    staff_title: str
    staff_title_plural: str
    social_media: tuple[str, ...]
    privacy_url: str
    privacy_text: str

    @property
    def phone_e164(self) -> str:
        """The phone number for ``tel:`` links: 042-10 50 00 -> +4642105000."""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return "+46" + digits.lstrip("0")


def load_facts(path: Path) -> ContactFacts:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ContactFacts(
        name=data["name"],
        phone=data["phone"],
        address=data["address"],
        city=data["city"],
        staff_title=data["staff_title"],
        staff_title_plural=data["staff_title_plural"],
        social_media=tuple(data["social_media"]),
        privacy_url=data["privacy_url"],
        privacy_text=data["privacy_text"],
    )


@lru_cache(maxsize=4)
def get_facts(config_dir: Path | None = None) -> ContactFacts:
    """The facts of this deployment (``KC_CONFIG_DIR``/contact.yml), read once."""
    if config_dir is None:
        from kontaktcenter.settings import get_settings

        config_dir = get_settings().config_dir
    return load_facts(Path(config_dir) / "contact.yml")
