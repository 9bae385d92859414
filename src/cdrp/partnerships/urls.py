from django.urls import path

from cdrp.partnerships import edit_views, views

app_name = "partnerships"
urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("new/", edit_views.partnership_new, name="new"),
    path("people/<slug:person>/", views.person_detail, name="person"),
    path("<slug:partnership>/", views.partnership_detail, name="detail"),
    path("<slug:partnership>/edit/", edit_views.partnership_edit, name="edit"),
    path("<slug:partnership>/compliance/", views.compliance_page, name="compliance"),
    path("<slug:partnership>/structure/", views.structure_page, name="structure"),
    path("<slug:partnership>/structure.svg", views.structure_svg_view, name="structure-svg"),
    path("<slug:partnership>/compare/", views.compare, name="compare"),
    path("<slug:partnership>/import/", edit_views.structure_import, name="import"),
    path("<slug:partnership>/export/structure.yaml", views.export_yaml, name="export-yaml"),
    path("<slug:partnership>/export/popolo.json", views.export_popolo, name="export-popolo"),
    path("<slug:partnership>/export/structure.csv", views.export_csv, name="export-csv"),
    path("<slug:partnership>/merger/", views.merger, name="merger"),
    path("<slug:partnership>/merger/<slug:action>/", views.merger_action, name="merger-action"),
    path("<slug:partnership>/groups/new/", edit_views.group_edit, name="group-new"),
    path("<slug:partnership>/groups/<slug:group>/", views.group_detail, name="group"),
    path("<slug:partnership>/groups/<slug:group>/edit/", edit_views.group_edit, name="group-edit"),
    path(
        "<slug:partnership>/groups/<slug:group>/seats/new/", edit_views.seat_edit, name="seat-new"
    ),
    path(
        "<slug:partnership>/groups/<slug:group>/seats/<int:seat>/edit/",
        edit_views.seat_edit,
        name="seat-edit",
    ),
    path(
        "<slug:partnership>/groups/<slug:group>/seats/<int:seat>/delete/",
        edit_views.seat_delete,
        name="seat-delete",
    ),
    path(
        "<slug:partnership>/groups/<slug:group>/members/new/",
        edit_views.membership_edit,
        name="member-new",
    ),
    path(
        "<slug:partnership>/groups/<slug:group>/members/<int:membership>/edit/",
        edit_views.membership_edit,
        name="member-edit",
    ),
    path("<slug:partnership>/people/new/", edit_views.person_edit, name="person-new"),
    path(
        "<slug:partnership>/people/<slug:person>/edit/", edit_views.person_edit, name="person-edit"
    ),
    path(
        "<slug:partnership>/organisations/new/",
        edit_views.organisation_edit,
        name="organisation-new",
    ),
    path(
        "<slug:partnership>/organisations/<slug:organisation>/edit/",
        edit_views.organisation_edit,
        name="organisation-edit",
    ),
]
