"""The shape of a `/v1/chat/completions` body, checked before anything is decoded: a wrong type
anywhere (`"content": 5`, a numeric `image_url.url`, a string `max_tokens`) is a 400 with one line
naming the field, never an exception deeper in."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")  # clients send fields we do not read (detail, cache_control)


class ImageURL(_Part):
    url: StrictStr


class ImagePart(_Part):
    type: Literal["image_url"]
    image_url: Union[ImageURL, StrictStr]

    @property
    def url(self) -> str:
        return self.image_url if isinstance(self.image_url, str) else self.image_url.url


class TextPart(_Part):
    type: Literal["text"]
    text: StrictStr


ContentPart = Annotated[Union[ImagePart, TextPart], Field(discriminator="type")]


class Message(_Part):
    role: StrictStr = "user"
    content: Union[StrictStr, list[ContentPart], None] = None


class ChatRequest(_Part):
    messages: list[Message] = Field(min_length=1)
    max_tokens: Optional[StrictInt] = Field(None, ge=1)
    max_completion_tokens: Optional[StrictInt] = Field(None, ge=1)

    def texts(self) -> list[str]:
        found = []
        for message in self.messages:
            if isinstance(message.content, str):
                found.append(message.content)
            for part in message.content if isinstance(message.content, list) else []:
                if isinstance(part, TextPart):
                    found.append(part.text)
        return [text for text in found if text]

    def image_urls(self) -> list[str]:
        return [
            part.url
            for message in self.messages
            if isinstance(message.content, list)
            for part in message.content
            if isinstance(part, ImagePart)
        ]


def _field_path(loc: tuple) -> str:
    """`messages[0].content` from pydantic's location (which also names union members, dropped here)."""
    path = ""
    for item in loc:
        if isinstance(item, int):
            path += f"[{item}]"
        elif (
            item.isidentifier()
            and item not in ("str", "int", "none", "list", "ImageURL", "ImagePart", "TextPart")
            and not path.endswith(f".{item}")
        ):
            path += f".{item}" if path else item
    return path or "body"


def reason(error: ValidationError) -> str:
    """One line: the first wrong field and what it should be (a union's alternatives joined by 'or')."""
    errors = error.errors(include_url=False)
    deepest = max(errors, key=lambda item: len(_field_path(item["loc"])))  # the most specific field
    first = _field_path(deepest["loc"])
    wants = []
    for item in errors:
        message = re.sub(r"valid dictionary or instance of \w+", "JSON object", item["msg"])
        if _field_path(item["loc"]) == first and message not in wants:
            wants.append(message)
    got = deepest.get("input")
    shown = "" if isinstance(got, (dict, list)) else f" (got {type(got).__name__} {str(got)[:40]!r})"
    alternatives = [wants[0], *(want.removeprefix("Input should be ") for want in wants[1:])]
    return f"{first}: {' or '.join(alternatives)}{shown}"
