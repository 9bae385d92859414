"""Background work of the index: reading the text of an attached file (a paper's PDF or Word
document), which can take seconds, after the record's own save has committed."""

from __future__ import annotations

from django_tasks import task

from cdrp.search.index import extract_file

__all__ = ["extract_text_task"]


@task()
def extract_text_task(kind: str, object_id: int) -> dict:
    """Read the attached file of one indexed record into the index."""
    return {"kind": kind, "id": object_id, "indexed": extract_file(kind, object_id)}
