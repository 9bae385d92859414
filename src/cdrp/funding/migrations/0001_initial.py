"""The funding app's records, moved from the plans app with their tables (plans 0003).

State only (`SeparateDatabaseAndState` with no database operations): each model keeps its
``plans_…`` table (``db_table``), so the tables, their rows and constraints are as they were and
no SQL runs.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("meetings", "0008_relabel_moved_records"),
        ("partnerships", "0006_meeting_decision_vote_to_meetings"),
        ("plans", "0003_funding_records_to_funding_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FundingStream",
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
                        ("name", models.CharField(max_length=200)),
                        (
                            "source",
                            models.CharField(
                                help_text="Who provides it, e.g. the Home Office", max_length=200
                            ),
                        ),
                        (
                            "financial_year",
                            models.CharField(help_text="e.g. 2023/24", max_length=7),
                        ),
                        ("amount_pence", models.BigIntegerField()),
                        ("conditions", models.TextField(blank=True)),
                        (
                            "formula",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="How the stream is split (cdrp.plans.allocation)",
                            ),
                        ),
                        ("published", models.BooleanField(default=False)),
                        ("published_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "partnership",
                            models.ForeignKey(
                                help_text="The partnership (or county group) that holds the stream",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="funding_streams",
                                to="partnerships.partnership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "plans_fundingstream",
                        "ordering": ["-financial_year", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Allocation",
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
                        ("amount_pence", models.BigIntegerField()),
                        (
                            "share",
                            models.DecimalField(
                                blank=True,
                                decimal_places=10,
                                help_text="Share of the stream",
                                max_digits=12,
                                null=True,
                            ),
                        ),
                        (
                            "basis",
                            models.JSONField(
                                blank=True, default=dict, help_text="Formula inputs and shares"
                            ),
                        ),
                        (
                            "decision",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="allocations",
                                to="meetings.decision",
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="allocations",
                                to="partnerships.partnership",
                            ),
                        ),
                        (
                            "stream",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="allocations",
                                to="funding.fundingstream",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "plans_allocation",
                        "ordering": ["stream", "partnership__name"],
                    },
                ),
                migrations.CreateModel(
                    name="Project",
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
                        ("title", models.CharField(max_length=200)),
                        ("description", models.TextField(blank=True)),
                        ("budget_pence", models.BigIntegerField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("proposed", "Proposed"),
                                    ("approved", "Approved"),
                                    ("active", "In delivery"),
                                    ("complete", "Complete"),
                                ],
                                default="proposed",
                                max_length=10,
                            ),
                        ),
                        ("start", models.DateField(blank=True, null=True)),
                        ("end", models.DateField(blank=True, null=True)),
                        ("published", models.BooleanField(default=False)),
                        (
                            "allocation",
                            models.ForeignKey(
                                blank=True,
                                help_text="The allocation that funds it",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="projects",
                                to="funding.allocation",
                            ),
                        ),
                        (
                            "approval_decision",
                            models.ForeignKey(
                                blank=True,
                                help_text="The strategy group's decision approving the spend",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="approved_projects",
                                to="meetings.decision",
                            ),
                        ),
                        (
                            "joint_with",
                            models.ManyToManyField(
                                blank=True,
                                help_text="Other partnerships commissioning it jointly",
                                related_name="joint_projects",
                                to="partnerships.partnership",
                            ),
                        ),
                        (
                            "lead_organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="projects",
                                to="partnerships.organisation",
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="projects",
                                to="partnerships.partnership",
                            ),
                        ),
                        (
                            "priority",
                            models.ForeignKey(
                                blank=True,
                                help_text="The plan priority it is commissioned against",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="projects",
                                to="plans.priority",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "plans_project",
                        "ordering": ["partnership", "title"],
                    },
                ),
                migrations.CreateModel(
                    name="Milestone",
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
                        ("title", models.CharField(max_length=200)),
                        ("due", models.DateField()),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="milestones",
                                to="funding.project",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "plans_milestone",
                        "ordering": ["project", "due"],
                    },
                ),
                migrations.CreateModel(
                    name="Evaluation",
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
                        ("method", models.TextField(help_text="The planned method")),
                        (
                            "categories",
                            models.JSONField(
                                default=list, help_text="Outcome: police.uk category slugs"
                            ),
                        ),
                        (
                            "target_areas",
                            models.JSONField(
                                default=list, help_text="LSOA codes of the target area"
                            ),
                        ),
                        (
                            "buffer_areas",
                            models.JSONField(blank=True, default=list, help_text="LSOA codes"),
                        ),
                        (
                            "control_areas",
                            models.JSONField(
                                default=list, help_text="LSOA codes of the comparison area"
                            ),
                        ),
                        ("before_start", models.CharField(max_length=7)),
                        ("before_end", models.CharField(max_length=7)),
                        ("after_start", models.CharField(max_length=7)),
                        ("after_end", models.CharField(max_length=7)),
                        ("result", models.JSONField(blank=True, default=dict)),
                        (
                            "verdict",
                            models.CharField(
                                choices=[
                                    ("pending", "Not yet evaluated"),
                                    ("effective", "Effective"),
                                    ("no_evidence", "No evidence of effect"),
                                    ("worse", "Outcome worsened"),
                                ],
                                default="pending",
                                max_length=12,
                            ),
                        ),
                        ("evaluated_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "project",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="evaluation",
                                to="funding.project",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "plans_evaluation",
                    },
                ),
                migrations.CreateModel(
                    name="Spend",
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
                        ("amount_pence", models.BigIntegerField()),
                        ("description", models.CharField(max_length=300)),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="spend",
                                to="funding.project",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "spend",
                        "db_table": "plans_spend",
                        "ordering": ["project", "date", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Variation",
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
                        ("amount_pence", models.BigIntegerField()),
                        ("reason", models.TextField()),
                        ("approved", models.BooleanField(default=False)),
                        (
                            "decision",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="variations",
                                to="meetings.decision",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="variations",
                                to="funding.project",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "plans_variation",
                        "ordering": ["project", "pk"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="fundingstream",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount_pence__gte", 0)),
                        name="stream_amount_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="allocation",
                    constraint=models.UniqueConstraint(
                        fields=("stream", "partnership"), name="allocation_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="allocation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount_pence__gte", 0)), name="allocation_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="project",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("budget_pence__gte", 0)),
                        name="project_budget_not_negative",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="spend",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount_pence__gte", 0)), name="spend_not_negative"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="variation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount_pence__gte", 0)), name="variation_not_negative"
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
