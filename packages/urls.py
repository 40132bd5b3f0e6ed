from django.urls import path

from . import views

app_name = "packages"

# On the package host (see hosts.py): the launcher of part N, and the package's files.
urlpatterns = [
    path("<id:lesson_id>/<str:token>/launch/<id:part>/", views.launch, name="launch"),
    path("<id:lesson_id>/<str:token>/files/<path:path>", views.package_file, name="file"),
]

# On the site: the run-time data of a lesson, posted by its wrapper page.
commit_urlpatterns = [
    path("<id:lesson_id>/", views.commit, name="package_commit"),
]
