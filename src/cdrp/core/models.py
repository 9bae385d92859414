"""Shared record behaviour (version check, audit hook) and task progress that pages can poll."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class ConflictError(Exception):
    """Someone else saved this record since it was loaded; nothing was written."""

    def __init__(self, record: models.Model):
        self.record = record
        super().__init__(
            f"{str(record._meta.verbose_name).capitalize()} “{record}” was changed by someone else "
            "since you opened it. Your changes were not saved: reload it and make them again."
        )


MISSING_VERSION = (
    "This form was sent without the version of the record it changes, so a change someone made "
    "since it was opened could be overwritten unseen. Nothing was saved: open the page again "
    "and make your change there."
)


def required_version(value) -> int:
    """The version an edit was made from, as its form or API call sent it. Missing or not a
    whole number is refused (ValidationError, nothing saved): without it the conflict check of
    `GovernanceRecord.save_checked` cannot run."""
    from django.core.exceptions import ValidationError

    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(MISSING_VERSION, code="version")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            f"The version sent with this form ({value!r}) is not a whole number. Nothing was "
            "saved: open the page again and make your change there.",
            code="version",
        ) from None


class GovernanceRecord(models.Model):
    """Base for governance records: every save and delete is audited (cdrp.accounts.audit) and
    `save_checked` refuses to overwrite a newer version (optimistic concurrency)."""

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def audit_partnership_id(self) -> int | None:
        """The partnership whose administrators see this record's audit trail."""
        return getattr(self, "partnership_id", None)

    def save_checked(self, expected_version: int | None, **kwargs) -> None:
        """Save only if the stored version is still `expected_version`, else raise ConflictError.
        An existing record saved without a version (a form that sent none) is a conflict too."""
        if self.pk is None:
            self.save(**kwargs)
            return
        if expected_version is None:
            raise ConflictError(self)
        with transaction.atomic():
            claimed = (
                type(self)
                ._base_manager.filter(pk=self.pk, version=expected_version)
                .update(version=models.F("version") + 1)
            )
            if not claimed:
                raise ConflictError(self)
            self.version = expected_version + 1
            self.save(**kwargs)


class TaskProgress(models.Model):
    """Progress of one background task, written by the task and polled by its page."""

    task_id = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    started = models.BooleanField(
        default=True, help_text="False while the task waits in the queue for the worker"
    )
    finished = models.BooleanField(default=False)
    failed = models.BooleanField(default=False)
    result_url = models.CharField(
        max_length=500, blank=True, help_text="The page of what the task made (its result)"
    )
    result_label = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "task progress"

    def __str__(self) -> str:
        return f"{self.label} ({self.percent}%)"

    @property
    def state(self) -> str:
        """In words: waiting to start, in progress, finished or failed."""
        if self.failed:
            return "Failed"
        if self.finished:
            return "Finished"
        if not self.started:
            return "Waiting to start"
        return "In progress"

    @property
    def percent(self) -> int:
        if self.finished and not self.failed:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.done / self.total))


class RenderedDocument(models.Model):
    """A document (PDF, XLSX, ICS …) rendered once for one version of what it shows, and served
    from here until that changes (cdrp.core.documents). `fingerprint` names the version: a hash
    of the record's version or of the content the document is drawn from."""

    kind = models.CharField(max_length=50, help_text="What document, e.g. assessment-pdf")
    object_id = models.CharField(max_length=100, help_text="Which record (or records) it shows")
    fingerprint = models.CharField(max_length=64, help_text="The version of what it shows")
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    etag = models.CharField(max_length=64, help_text="A hash of the body")
    size = models.PositiveIntegerField(default=0)
    render_seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "fingerprint"], name="one_document_per_version"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id", "used_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.size} bytes)"

    @property
    def storage_name(self) -> str:
        """Where its bytes are kept in the documents' storage (`default_storage`: on disk under
        MEDIA_ROOT, or in the object store)."""
        return f"rendered/{self.kind}/{self.fingerprint}"

    def content(self) -> bytes:
        """The document's bytes: from the documents' storage (a row rendered before documents
        moved there keeps them in `body`)."""
        if self.body or not self.size:
            return bytes(self.body)
        from django.core.files.storage import default_storage

        with default_storage.open(self.storage_name, "rb") as handle:
            return handle.read()


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life: each worker writes its row every few seconds, so the
    health check can say whether anything is running the queue."""

    worker_id = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (last seen {self.seen_at:%Y-%m-%d %H:%M:%S})"
