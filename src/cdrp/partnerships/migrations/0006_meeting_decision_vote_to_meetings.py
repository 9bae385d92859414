"""Meeting, Decision and Vote moved to the meetings app, keeping their tables: they leave this
app's state only (no table is dropped).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("intelligence", "0003_decisions_in_meetings"),
        ("meetings", "0007_meeting_decision_vote_from_partnerships"),
        ("partnerships", "0005_group_restricted_records"),
        ("plans", "0002_decisions_in_meetings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="vote",
                    name="decision",
                ),
                migrations.RemoveField(
                    model_name="meeting",
                    name="group",
                ),
                migrations.RemoveField(
                    model_name="vote",
                    name="cast_by",
                ),
                migrations.DeleteModel(
                    name="Decision",
                ),
                migrations.DeleteModel(
                    name="Meeting",
                ),
                migrations.DeleteModel(
                    name="Vote",
                ),
            ],
            database_operations=[],
        ),
    ]
