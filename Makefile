# Two commands for a new machine: `make run` and `make test`. Needs Python 3.11+ only.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CLIENT := clients/js
CLIENT_INSTALLED := $(CLIENT)/node_modules/.package-lock.json
# The browser tests drive Debian's Chromium with Playwright; no browser is ever downloaded.
CHROMIUM ?= /usr/bin/chromium
STAGE ?= dev
# Bytecode is written where Python keeps it (.venv, __pycache__/), whatever the shell says.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run token price stock load test lint python-lint client-lint unit integration e2e fuzz bench package deploy republish policies clean

# uv installs the pinned packages (6 s here, pip 24 s); it reads UV_INDEX_URL, not pip's
# configuration. Bytecode is compiled at install only for the packages that the test
# processes share (6 s on both cores, where `make test`'s processes, starting together,
# each compiled them again: 30 s of CPU); the rest, when a process first imports it, and
# kept (make unsets PYTHONDONTWRITEBYTECODE). Compiling every package takes 20 s.
SHARED_PACKAGES := botocore boto3 s3transfer hypothesis schemathesis chalice werkzeug flask \
	jsonschema _pytest pytest pluggy requests urllib3 cryptography jwt pydantic mcp playwright \
	gevent starlette anyio jinja2 yaml moto/core moto/dynamodb moto/dynamodbstreams moto/events \
	moto/sqs moto/moto_server moto/moto_api moto/utilities moto/iam
$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==0.13.10
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt
	$(PY) -m compileall -q -j 0 $$($(PY) -c 'import sys, sysconfig; site = sysconfig.get_paths()["purelib"]; print(*(f"{site}/{p}" for p in sys.argv[1:]))' $(SHARED_PACKAGES))
	touch $(INSTALLED)

# The TypeScript client's tools (npm ci: exactly the committed lockfile).
$(CLIENT_INSTALLED): $(CLIENT)/package-lock.json
	cd $(CLIENT) && npm ci --no-audit --no-fund --loglevel=error
	touch $(CLIENT_INSTALLED)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Install Chromium and set CHROMIUM=/path/to/it"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

## run: the API on http://127.0.0.1:8000 and the demo storefront on :8001, with a local DynamoDB (moto)
run: $(INSTALLED)
	$(PY) -m tools.local.run

## token: a shopper token for SUB that the running `make run` accepts (make -s token SUB=alice)
# (order-only prerequisite: it never reinstalls, which would make `make run` reload)
token: | $(INSTALLED)
	@$(PY) -B -m tools.local.shopper_token "$(SUB)"

## price: change a product's price in the running `make run` (make -s price PRODUCT=ESP-1KG PRICE=21.49)
price: | $(INSTALLED)
	@$(PY) -B -m tools.local.price "$(PRODUCT)" "$(PRICE)"

## stock: change a product's stock once (make -s stock PRODUCT=GRINDER-HAND DELTA=5 KEY=delivery-0042)
# STAGE=local: the running `make run`; a deployed stage through its IAM-only function
stock: | $(INSTALLED)
	@$(PY) -B -m tools.data.adjust_stock "$(STAGE)" "$(PRODUCT)" "$(DELTA)" "$(KEY)"

## load: a storefront's traffic from locust against make run (or API=https://... a deployed stage)
# USERS (8) shoppers for DURATION (5m); prints req/s, p50/p95/p99 per operation, non-2xx by code
load: | $(INSTALLED)
	$(PY) -m tools.load.run

## test: lint, type checks and every test (unit, integration, end-to-end over HTTP, browser)
# The lint and three pytest runs side by side on the machine's two cores (much of the
# end-to-end time is waiting on servers): the in-process tests, the HTTP end-to-end tests,
# and the tests that each keep a core busy a long while (the chaos matrix, schemathesis, and
# the packaging's `chalice package` and cfn-lint), so that the three take about as long as
# each other; the others' outputs follow when all are done.
LONG := tests/e2e/test_chaos_matrix.py tests/e2e/test_schemathesis.py \
	tests/integration/test_package.py tests/integration/test_monitoring.py \
	tests/integration/test_deploy.py
# The Python packages are installed while the client's are, and then its types checked
# (on a fresh clone, 16 s; and 5 s, then tsc's 10 s of CPU, on the other core).
test:
	@$(MAKE) --no-print-directory -j3 $(INSTALLED) client-lint $(CHROMIUM)
	@mkdir -p build
	@$(MAKE) --no-print-directory python-lint > build/lint.log 2>&1 & lint=$$!; \
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest tests/e2e $(addprefix --ignore=,$(LONG)) \
		> build/e2e.log 2>&1 & e2e=$$!; \
	$(PY) -m pytest $(LONG) > build/long.log 2>&1 & long=$$!; \
	$(PY) -m pytest tests/unit tests/integration $(addprefix --ignore=,$(LONG)); in_process=$$?; \
	wait $$lint; linted=$$?; wait $$e2e; end_to_end=$$?; wait $$long; long_ones=$$?; \
	cat build/lint.log build/e2e.log build/long.log; \
	echo "lint: exit $$linted; in process: exit $$in_process; end to end: exit $$end_to_end;" \
		"long ones: exit $$long_ones"; \
	test $$linted -eq 0 && test $$in_process -eq 0 && test $$end_to_end -eq 0 && \
		test $$long_ones -eq 0

## lint: ruff, mypy --strict, the layering contract of pyproject.toml (import-linter), and the
## TypeScript client's types (tsc; its generated schema as current as openapi.yaml)
lint: python-lint client-lint

python-lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

client-lint: $(CLIENT_INSTALLED)
	cd $(CLIENT) && npm run --silent check

unit integration e2e: $(INSTALLED)
	$(PY) -m pytest tests/$@

## fuzz: a long schemathesis campaign against chalice local (FUZZ_EXAMPLES per operation)
fuzz: $(INSTALLED)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} FUZZ_SEED=$${FUZZ_SEED:-$$(date +%s)} \
	FUZZ_TIMEOUT=3600 $(PY) -m pytest tests/e2e/test_schemathesis.py --timeout 3700

## bench: every performance figure (round trips, overhead, cold start, size, throughput)
bench: $(INSTALLED)
	$(PY) -m bench.run

## package: the SAM template of STAGE (tables, API, functions) in build/STAGE, offline
package: $(INSTALLED)
	$(PY) -m tools.deploy.package $(STAGE) build/$(STAGE)

## deploy: the tables stack of STAGE, its table names into the config, then chalice deploy
deploy: $(INSTALLED)
	$(PY) -m tools.deploy.deploy $(STAGE)

## republish: publish again the events of the stream records STAGE's consumer gave up on (STAGE=local: make run's)
republish: $(INSTALLED)
	$(PY) -m tools.deploy.republish_failed_events $(STAGE)

## policies: regenerate .chalice/policy-*.json from tools/deploy/policies.py
policies: $(INSTALLED)
	$(PY) -m tools.deploy.policies

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .chalice/deployments \
		$(CLIENT)/node_modules $(CLIENT)/dist
