"""The one view: each POST stores its body with one INSERT (autocommit) and answers 201."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

TABLE = "bench_bare_post"
CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, body text NOT NULL)"


def post(request, anything=""):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s)", [request.body.decode()])
    return HttpResponse(status=201)


urlpatterns = [path("<path:anything>", post), path("", post)]
