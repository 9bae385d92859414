"""Funding and commissioning records leave the plans app for the funding app (funding 0001).

State only (`SeparateDatabaseAndState` with no database operations): the tables keep their
``plans_…`` names and their rows; no SQL runs.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_decisions_in_meetings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="project",
                    name="allocation",
                ),
                migrations.RemoveField(
                    model_name="evaluation",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="fundingstream",
                    name="partnership",
                ),
                migrations.RemoveField(
                    model_name="milestone",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="project",
                    name="approval_decision",
                ),
                migrations.RemoveField(
                    model_name="project",
                    name="joint_with",
                ),
                migrations.RemoveField(
                    model_name="project",
                    name="lead_organisation",
                ),
                migrations.RemoveField(
                    model_name="project",
                    name="partnership",
                ),
                migrations.RemoveField(
                    model_name="project",
                    name="priority",
                ),
                migrations.RemoveField(
                    model_name="spend",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="variation",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="variation",
                    name="decision",
                ),
                migrations.DeleteModel(
                    name="Allocation",
                ),
                migrations.DeleteModel(
                    name="Evaluation",
                ),
                migrations.DeleteModel(
                    name="FundingStream",
                ),
                migrations.DeleteModel(
                    name="Milestone",
                ),
                migrations.DeleteModel(
                    name="Spend",
                ),
                migrations.DeleteModel(
                    name="Project",
                ),
                migrations.DeleteModel(
                    name="Variation",
                ),
            ],
            database_operations=[],
        )
    ]
