"""Decision moved to the meetings app (same table): the foreign key to it follows, in state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intelligence", "0002_approval_decision"),
        ("meetings", "0007_meeting_decision_vote_from_partnerships"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assessment",
                    name="approval_decision",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="The strategy group's decision that approved it",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approved_assessments",
                        to="meetings.decision",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
