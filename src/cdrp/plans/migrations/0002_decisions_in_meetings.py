"""Decision moved to the meetings app (same table): the foreign keys to it follow, in state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_meeting_decision_vote_from_partnerships"),
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="allocation",
                    name="decision",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocations",
                        to="meetings.decision",
                    ),
                ),
                migrations.AlterField(
                    model_name="plan",
                    name="approval_decision",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="The strategy group's carried decision that approved this revision",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approved_plans",
                        to="meetings.decision",
                    ),
                ),
                migrations.AlterField(
                    model_name="project",
                    name="approval_decision",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="The strategy group's decision approving the spend",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approved_projects",
                        to="meetings.decision",
                    ),
                ),
                migrations.AlterField(
                    model_name="variation",
                    name="decision",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="variations",
                        to="meetings.decision",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
