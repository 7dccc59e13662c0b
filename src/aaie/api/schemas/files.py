from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class FileUploaded(BaseModel):
    """§11.4 upload answer: `fileId` as the contract spells it, the rest snake_case."""

    file_id: uuid.UUID = Field(serialization_alias="fileId")
    filename: str
    content_type: str = Field(description="sniffed from the bytes, not taken from the client")
    size: int = Field(description="bytes")
    word_count: int


class FileDetail(FileUploaded):
    sha256: str
    owner_id: uuid.UUID | None
    created_at: datetime
    preview: str = Field(description="the first ~1000 characters of the extracted text")
    preview_truncated: bool
