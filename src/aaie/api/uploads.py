"""Multipart uploads read as a stream, with the size limit enforced on the bytes actually
received (Content-Length is only used to refuse early, never trusted to accept), and the file
store the routes share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from aaie.api.deps import State
from aaie.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from aaie.storage import FileStore, make_file_store

FORM_OVERHEAD = 64 * 1024  # boundaries, part headers and small extra fields


@dataclass
class Upload:
    filename: str
    declared_type: str | None
    data: bytes


def get_file_store(request: Request, state: State) -> FileStore:
    """One store per app, built on first use (an S3 client is not free to create)."""
    store: FileStore | None = getattr(request.app.state, "file_store", None)
    if store is None:
        store = make_file_store(state.settings)
        request.app.state.file_store = store
    return store


FileStoreDep = Annotated[FileStore, Depends(get_file_store)]


def multipart_body(field: str = "file", description: str = "the file") -> dict[str, Any]:
    """OpenAPI `openapi_extra` for a route that reads one file field itself."""
    schema = {
        "type": "object",
        "required": [field],
        "properties": {field: {"type": "string", "format": "binary", "description": description}},
    }
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


async def read_upload(request: Request, limit: int, field: str = "file") -> Upload:
    boundary = _boundary(request)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise _too_large(limit)
    collector = _PartCollector(field, limit)
    parser = MultipartParser(boundary, collector.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + FORM_OVERHEAD:
                raise _too_large(limit)
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise ValidationFailed("The multipart body is malformed.") from exc
    if collector.result is None:
        raise ValidationFailed(
            f"The multipart field '{field}' with a file is required.",
            details=[{"loc": ["body", field], "msg": "Field required", "type": "missing"}],
        )
    return collector.result


def _boundary(request: Request) -> bytes:
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType("Send the file as multipart/form-data in the field 'file'.")
    return boundary


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The file is larger than the {limit / 1_048_576:.1f} MB limit.",
        details={"max_bytes": limit},
    )


class _PartCollector:
    """Callbacks for python-multipart that keep only the first part named `field`."""

    def __init__(self, field: str, limit: int) -> None:
        self.field, self.limit = field, limit
        self.result: Upload | None = None
        self._headers: dict[bytes, bytes] = {}
        self._name, self._value = b"", b""
        self._buffer: bytearray | None = None
        self._filename, self._type = "", None  # type: tuple[str, str | None]

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._add("_name", d[s:e]),
            "on_header_value": lambda d, s, e: self._add("_value", d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
        }

    def _add(self, attr: str, data: bytes) -> None:
        setattr(self, attr, getattr(self, attr) + data)

    def _part_begin(self) -> None:
        self._headers, self._buffer = {}, None

    def _header_end(self) -> None:
        self._headers[self._name.strip().lower()] = self._value.strip()
        self._name, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        if name == self.field and b"filename" in params and self.result is None:
            self._filename = params[b"filename"].decode("utf-8", "replace")
            declared = self._headers.get(b"content-type")
            self._type = declared.decode("latin-1") if declared else None
            self._buffer = bytearray()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._buffer is None:
            return  # other fields are ignored (and bounded by FORM_OVERHEAD)
        self._buffer += data[start:end]
        if len(self._buffer) > self.limit:
            raise _too_large(self.limit)

    def _part_end(self) -> None:
        if self._buffer is not None and self.result is None:
            self.result = Upload(self._filename, self._type, bytes(self._buffer))
        self._buffer = None
