from django.urls import path

from cdrp.partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("new/", views.partnership_new, name="new"),
    path("people/<slug:person>/", views.person_detail, name="person"),
    path("<slug:partnership>/", views.partnership_detail, name="detail"),
    path("<slug:partnership>/edit/", views.partnership_edit, name="edit"),
    path("<slug:partnership>/compliance/", views.compliance_page, name="compliance"),
    path("<slug:partnership>/structure/", views.structure_page, name="structure"),
    path("<slug:partnership>/structure.svg", views.structure_svg_view, name="structure-svg"),
    path("<slug:partnership>/compare/", views.compare, name="compare"),
    path("<slug:partnership>/import/", views.structure_import, name="import"),
    path("<slug:partnership>/export/structure.yaml", views.export_yaml, name="export-yaml"),
    path("<slug:partnership>/export/popolo.json", views.export_popolo, name="export-popolo"),
    path("<slug:partnership>/export/structure.csv", views.export_csv, name="export-csv"),
    path("<slug:partnership>/merger/", views.merger, name="merger"),
    path("<slug:partnership>/merger/<slug:action>/", views.merger_action, name="merger-action"),
    path("<slug:partnership>/groups/new/", views.group_edit, name="group-new"),
    path("<slug:partnership>/groups/<slug:group>/", views.group_detail, name="group"),
    path("<slug:partnership>/groups/<slug:group>/edit/", views.group_edit, name="group-edit"),
    path("<slug:partnership>/groups/<slug:group>/seats/new/", views.seat_edit, name="seat-new"),
    path(
        "<slug:partnership>/groups/<slug:group>/seats/<int:seat>/edit/",
        views.seat_edit,
        name="seat-edit",
    ),
    path(
        "<slug:partnership>/groups/<slug:group>/seats/<int:seat>/delete/",
        views.seat_delete,
        name="seat-delete",
    ),
    path(
        "<slug:partnership>/groups/<slug:group>/members/new/",
        views.membership_edit,
        name="member-new",
    ),
    path(
        "<slug:partnership>/groups/<slug:group>/members/<int:membership>/edit/",
        views.membership_edit,
        name="member-edit",
    ),
    path("<slug:partnership>/people/new/", views.person_edit, name="person-new"),
    path("<slug:partnership>/people/<slug:person>/edit/", views.person_edit, name="person-edit"),
    path("<slug:partnership>/organisations/new/", views.organisation_edit, name="organisation-new"),
    path(
        "<slug:partnership>/organisations/<slug:organisation>/edit/",
        views.organisation_edit,
        name="organisation-edit",
    ),
]
