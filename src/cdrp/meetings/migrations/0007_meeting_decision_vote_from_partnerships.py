"""Meeting, Decision and Vote move here from the partnerships app, keeping their tables
(partnerships_meeting, partnerships_decision, partnerships_vote, partnerships_vote_cast_by): the
state moves, the database does not change. The meetings records' foreign keys follow them.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_action_links"),
        ("partnerships", "0005_group_restricted_records"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Meeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("date", models.DateField()),
                        (
                            "status",
                            models.CharField(
                                choices=[("planned", "Planned"), ("held", "Held")],
                                default="planned",
                                max_length=10,
                            ),
                        ),
                        (
                            "public",
                            models.BooleanField(default=False, help_text="Open to the public"),
                        ),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="meetings",
                                to="partnerships.group",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "partnerships_meeting",
                        "ordering": ["-date"],
                    },
                ),
                migrations.CreateModel(
                    name="Decision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("motion", models.TextField()),
                        (
                            "result",
                            models.CharField(
                                choices=[
                                    ("carried", "Carried"),
                                    ("lost", "Lost"),
                                    ("inquorate", "Not quorate: no decision"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("votes_for", models.PositiveIntegerField(default=0)),
                        ("votes_against", models.PositiveIntegerField(default=0)),
                        ("abstentions", models.PositiveIntegerField(default=0)),
                        ("bodies_present", models.PositiveIntegerField(default=0)),
                        ("quorum", models.PositiveIntegerField(default=0)),
                        (
                            "casting_vote",
                            models.CharField(
                                blank=True, help_text="The chair's casting vote", max_length=10
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="decisions",
                                to="meetings.meeting",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "partnerships_decision",
                        "ordering": ["pk"],
                    },
                ),
                migrations.AlterField(
                    model_name="action",
                    name="meeting",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="actions_raised",
                        to="meetings.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="agendaitem",
                    name="meeting",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agenda",
                        to="meetings.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="attendance",
                    name="meeting",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attendance",
                        to="meetings.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="booking",
                    name="meeting",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="booking",
                        to="meetings.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="minutes",
                    name="meeting",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="minutes_record",
                        to="meetings.meeting",
                    ),
                ),
                migrations.CreateModel(
                    name="Vote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("body_key", models.CharField(max_length=100)),
                        (
                            "body",
                            models.CharField(help_text="Council area or agency", max_length=200),
                        ),
                        (
                            "choice",
                            models.CharField(
                                choices=[
                                    ("for", "For"),
                                    ("against", "Against"),
                                    ("abstain", "Abstain"),
                                ],
                                max_length=8,
                            ),
                        ),
                        (
                            "cast_by",
                            models.ManyToManyField(
                                related_name="votes_cast", to="partnerships.person"
                            ),
                        ),
                        (
                            "decision",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="votes",
                                to="meetings.decision",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "partnerships_vote",
                        "ordering": ["body"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("decision", "body_key"), name="one_vote_per_body"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
