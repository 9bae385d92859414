"""Search across one partnership's records, filtered by what the reader may see.

The page is /partnerships/<slug>/search/?q=… (members of the partnership; a search box sits
under the section menu), the API ``GET /api/partnerships/<slug>/search?q=…``, and
``cdrp search reindex [--partnership SLUG]`` rebuilds the index from the records.

How it works
------------
`cdrp.search.models.SearchEntry` holds one row per searchable record: its partnership, kind,
object id, title, text, the text read from its attached file, the group whose current members
alone may read it (or none), its URL and date. SQLite searches it through an FTS5 table kept in
step by triggers; PostgreSQL through a generated tsvector column with a GIN index (migration
0002 makes each only on its own database). `cdrp.search.query` runs the search, ranks, makes
snippets with the matched words marked (escaped before any mark is added) and checks each
result against its record as it is now before showing it. Rows are written when records are
saved or deleted (signals, `cdrp.search.index`); the text of an attached file (PDF, Word, CSV:
`cdrp.search.extract`) is read by a background task after the save commits
(`cdrp.search.tasks`, run by the worker beside `cdrp serve`).

Who may read what is never decided here: a restricted record's row names its group, and the
reader's access to that group is asked of `cdrp.accounts.policy.may_see_restricted`, the check
the meeting pages make (`cdrp.meetings.restricted`). A reader outside the group gets neither the
record nor a count of it.

Making another app's records searchable
---------------------------------------
Search is the top layer, so apps below it never import it. An app makes its records
searchable by adding a module ``cdrp/<app>/searchable.py`` with ``INDEXERS``, a list of
mappings (plain dicts: no import of cdrp.search needed), found when the search app starts::

    # cdrp/community/searchable.py
    from django.urls import reverse

    from cdrp.community.models import Survey, SurveyQuestion


    def survey_entry(survey):
        if survey.partnership_id is None:
            return None  # not searched
        return {
            "partnership_id": survey.partnership_id,
            "title": survey.title,
            "text": survey.summary,
            "url": reverse("community:survey", args=[survey.partnership.slug, survey.pk]),
            "restricted_group": None,  # or the id of the group whose members alone may read it
            "date": survey.closes_on,  # optional
            "file": survey.report,  # optional FieldFile: its PDF/DOCX text is searched too
        }


    INDEXERS = [
        {
            "kind": "survey",  # unique short slug, stored with each row
            "label": "Surveys",  # the heading its results are grouped under
            "model": Survey,  # or "community.Survey"
            "entry": survey_entry,  # record -> dict (or None: not searched)
            "records": lambda partnership: Survey.objects.filter(partnership=partnership),
            # optional: other models whose change changes these rows (title, restriction)
            "watch": {SurveyQuestion: lambda question: [question.survey]},
            "order": 80,  # optional: where its group comes on the page (lower first)
        },
    ]

That is all: saves and deletes of the model (and of the watched models) keep the index up to
date, ``cdrp search reindex`` fills it for existing records, and the page groups the new kind
under its label. The entry's keys are the fields of `cdrp.search.registry.Entry`; a record whose
readers are narrower than a restricted group must not be indexed (return None). The built-in
kinds are registered the same way, in `cdrp.search.indexers`.
"""
