# The platform's image. One image, three processes (see docker-compose.yml):
#   web     gunicorn (the default command below), after migrate and setup_site
#   worker  celery -A elearning worker
#   beat    celery -A elearning beat
# Issue 18: the run-times of content packages (scorm-again, h5p-standalone) from npm, laid
# out as make lays them; the app image copies only the files, not Node.js.
FROM node:20-slim AS runtimes
WORKDIR /
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
    && mkdir -p packages/static/packages/vendor/scorm-again packages/static/packages/vendor/h5p-standalone \
    && cp node_modules/scorm-again/dist/scorm12.min.js node_modules/scorm-again/dist/scorm2004.min.js \
        node_modules/scorm-again/LICENSE packages/static/packages/vendor/scorm-again/ \
    && cp -R node_modules/h5p-standalone/dist/. node_modules/h5p-standalone/LICENSE \
        packages/static/packages/vendor/h5p-standalone/

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and a font for WeasyPrint (the PDF certificates).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app

WORKDIR /app

# The dependencies first, read from pyproject.toml alone, so that a change to the code does not
# reinstall them. (README.md* matches nothing when there is no README yet.)
COPY pyproject.toml README.md* ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code and the top-level folders that settings find next to it (BASE_DIR is /app):
# templates/ (TEMPLATES DIRS), static/ (STATICFILES_DIRS), locale/ (LOCALE_PATHS).
COPY manage.py ./
COPY elearning ./elearning
COPY courses ./courses
COPY quizzes ./quizzes
COPY progress ./progress
COPY certificates ./certificates
COPY xapi ./xapi
COPY reports ./reports
COPY packages ./packages
COPY --from=runtimes packages/static/packages/vendor ./packages/static/packages/vendor
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY docker/healthcheck.py /usr/local/bin/web-healthcheck.py

# `pip install .` from pyproject.toml, editable so that the packages are imported from /app:
# the settings derive BASE_DIR from their own file, and templates/, static/ and locale/ are
# here, not in site-packages.
RUN pip install --no-deps --editable .

ENV DJANGO_SETTINGS_MODULE=elearning.settings.production \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/media \
    STATIC_ROOT=/app/static-collected

# Static files are collected into the image: WhiteNoise serves them with the hashed names of
# CompressedManifestStaticFilesStorage. Production settings insist on these variables; the
# values are throwaway and exist only for this command.
RUN DJANGO_SECRET_KEY=build-only \
    CERTIFICATE_SIGNING_KEY=build-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    SITE_URL=http://localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

# The app writes only to var/ (Celery beat's schedule) and media/ (uploads): both are volumes,
# which start out with these folders and their owner.
RUN mkdir -p /app/var/celery /app/media \
    && chown -R app:app /app/var /app/media

USER app
EXPOSE 8000

CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py setup_site && exec gunicorn elearning.wsgi:application --bind 0.0.0.0:8000 --workers 3 --access-logfile -"]
