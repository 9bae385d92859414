"""The search index: one row per searchable record.

On SQLite the rows are mirrored into an FTS5 table (``search_fts``, kept in step by triggers); on
PostgreSQL a generated ``tsvector`` column (``search_vector``) with a GIN index is searched. Both
are made by migration 0002, each only on its own database; the model knows neither.
"""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="search_entries"
    )
    kind = models.CharField(max_length=40, help_text="The indexer's kind, e.g. paper")
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=500)
    text = models.TextField(blank=True, help_text="The record's own words")
    extracted = models.TextField(blank=True, help_text="Text taken from its attached file")
    extracted_from = models.CharField(
        max_length=300, blank=True, help_text="The file the extracted text came from"
    )
    restricted_group = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The group whose current members alone may read it (none: every member may)",
    )
    url = models.CharField(max_length=500, blank=True)
    date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="one_search_entry_per_record"
            )
        ]
        indexes = [models.Index(fields=["partnership", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title[:60]}"
