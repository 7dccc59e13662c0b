"""§11.4 Files: upload (txt, md, docx, pdf), metadata + preview, download, delete."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response, status

from aaie.api.deps import CurrentUser, FileId, SessionDep, SettingsDep, rate_limited
from aaie.api.errors import error_responses
from aaie.api.schemas.files import FileDetail, FileUploaded
from aaie.api.uploads import FileStoreDep, Upload, multipart_body, read_upload
from aaie.db.models import StoredFile
from aaie.services import audit, files

router = APIRouter(prefix="/api/files", tags=["files"])


async def _upload(request: Request, settings: SettingsDep, _: CurrentUser) -> Upload:
    # Depends on CurrentUser so an anonymous caller is refused before the body is read.
    return await read_upload(request, settings.max_upload_bytes)


def _uploaded(stored: StoredFile) -> FileUploaded:
    return FileUploaded(
        file_id=stored.id,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        word_count=stored.word_count,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FileUploaded,
    response_model_by_alias=True,
    openapi_extra=multipart_body("file", "txt, md, docx or pdf"),
    dependencies=[Depends(rate_limited("files"))],
    responses=error_responses(401, 403, 413, 415, 422, 429),
)
def upload_file(
    user: CurrentUser,
    upload: Annotated[Upload, Depends(_upload)],
    session: SessionDep,
    store: FileStoreDep,
) -> FileUploaded:
    """Upload a txt, md, docx or pdf file (multipart field `file`). The type is sniffed from
    the bytes: a file whose contents do not match its extension, executables, archives and
    images are refused with 415; files over the size limit with 413; files with no extractable
    text with 422. Any signed-in user may upload; the uploader owns the file."""
    stored = files.create_file(session, store, user, upload.filename, upload.data)
    return _uploaded(stored)


@router.get(
    "/{fileId}",
    response_model=FileDetail,
    response_model_by_alias=True,
    responses=error_responses(401, 403, 404, 422),
)
def get_file(file_id: FileId, user: CurrentUser, session: SessionDep) -> FileDetail:
    """Metadata and a preview of the extracted text. Readable by the owner, admins, and the
    teacher of a submission that uses the file."""
    stored = files.get_readable(session, file_id, user)
    text, truncated = files.preview(stored)
    return FileDetail(
        **_uploaded(stored).model_dump(),
        sha256=stored.sha256,
        owner_id=stored.owner_id,
        created_at=stored.created_at,
        preview=text,
        preview_truncated=truncated,
    )


@router.get(
    "/{fileId}/download",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The original bytes"},
        **error_responses(401, 403, 404, 422),
    },
)
def download_file(
    file_id: FileId, user: CurrentUser, session: SessionDep, store: FileStoreDep
) -> Response:
    """The original bytes, with their type and the uploaded filename."""
    stored = files.get_readable(session, file_id, user)
    return Response(
        content=files.read_bytes(store, stored),
        media_type=stored.content_type,
        headers={
            "Content-Disposition": content_disposition(stored.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete(
    "/{fileId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 422),
)
def delete_file(
    file_id: FileId,
    user: CurrentUser,
    session: SessionDep,
    store: FileStoreDep,
    request: Request,
) -> Response:
    """Delete the record and the stored bytes (owner or admin). A teacher who may read the file
    gets 403; a student's file that is a submission's original gets 409 (it is deleted with the
    submission)."""
    stored = files.get_deletable(session, file_id, user)
    details = {
        "size": stored.size,
        "sha256": stored.sha256,
        "owner_id": str(stored.owner_id) if stored.owner_id else None,
    }
    files.delete_file(session, store, stored)
    audit.record(
        session,
        actor=user,
        action="file.delete",
        resource_type="file",
        resource_id=file_id,
        request_id=request.state.request_id,
        details=details,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII fallback plus the exact UTF-8 name for browsers that read it."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
