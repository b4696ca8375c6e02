# Switchboard: `make dev` runs it locally, `make test` runs everything CI runs.
SHELL := /bin/bash
PORT ?= 3000
export SAM_CLI_TELEMETRY := 0
# One region for the SAM/cfn-lint checks; nothing here talks to AWS.
LINT_REGION ?= us-east-1

.PHONY: setup dev test check lint-template lint-workflows unit-and-blackbox build bench docs fmt clean web test-web bench-web deploy-edge deploy-web

## Install what the local stack needs (idempotent).
setup:
	@infra/scripts/bootstrap.sh stack web

## Run the product locally: local AWS, resources from template.yaml, the gateway on $(PORT) serving the API
## and the web app (http://127.0.0.1:$(PORT)/), demo data.
dev: setup web
	cargo build -p local-stack
	./target/debug/local-stack --port $(PORT) --seed

## The web app's production build (web/dist), after checking its API types match docs/openapi.json.
web:
	@infra/scripts/bootstrap.sh web
	cd web && npm run --silent check:api && npm run --silent build

## Everything CI runs; non-zero on any failure.
test:
	@infra/scripts/bootstrap.sh stack lint contract
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	$(MAKE) lint-template
	$(MAKE) lint-workflows
	cargo test --workspace --locked
	$(MAKE) test-web

## The web app: generated API types current, type check, lint (ESLint), unit tests (Vitest), production build, then the
## browser end-to-end tests (Playwright Test, one per user journey, in Debian's headless Chromium) against a local
## stack they start themselves. Screenshots, and traces of failed journeys, go to tests/artifacts/web/.
test-web:
	@infra/scripts/bootstrap.sh stack web browser
	cd web && npm run --silent check:api && npm run --silent typecheck && npm run --silent lint && npx vitest run && npx vite build --logLevel warn
	cargo build -p local-stack --locked
	cd web && npx playwright test

lint-template:
	.venv/lint/bin/cfn-lint template.yaml infra/edge.yaml
	.venv/lint/bin/sam validate --lint --template-file template.yaml --region $(LINT_REGION)

## The GitHub Actions workflows (.github/workflows/), checked by actionlint (pinned in infra/python/lint.lock).
lint-workflows:
	@infra/scripts/bootstrap.sh lint
	.venv/lint/bin/actionlint -no-color

## Deployable Lambda bundles: arm64 (Graviton), provided.al2023, one bootstrap zip per function. Every crate
## under functions/ is a Lambda (package fn-<folder>); the library, local stack, tests and benches are not.
FUNCTIONS := $(sort $(notdir $(wildcard functions/*)))
build:
	@infra/scripts/bootstrap.sh build
	PATH="$(CURDIR)/.venv/build/bin:$$PATH" cargo lambda build --release --arm64 --output-format zip --locked $(addprefix -p fn-,$(FUNCTIONS))

## Cold start of every function (host release build, fake Runtime API) next to a bare lambda_runtime floor;
## writes bench/results/latest.{md,json}. BENCH_RUNS=N to change the repetitions (the first is discarded).
BENCH_BINS := sla reports authorizer auth me users health api-docs platform billing tickets customers activity attachments settings chat webhooks api-keys
BENCH_RUNS ?= 15
# Inbox page latency is compared between workspaces of these sizes (tickets).
BENCH_SMALL ?= 100
BENCH_LARGE ?= 10000
# Webhook deliveries pushed through the local stack for the throughput figure.
BENCH_WEBHOOK_EVENTS ?= 500
# The SLA scan is compared between tables with these many open tickets, the same 100 at their deadline.
SLA_SMALL ?= 1000
SLA_LARGE ?= 100000
# The leads list and the kanban board are compared between workspaces with these many leads and deals.
CRM_SMALL ?= 100
CRM_LARGE ?= 50000
SEARCH_SMALL ?= 1000
SEARCH_LARGE ?= 100000
# Inbound e-mail through the local path: half open tickets, half are replies threaded into them.
EMAIL_MESSAGES ?= 400
# Event-to-socket latency is measured with this many connected sockets, over this many ticket changes.
BENCH_SOCKETS ?= 200
BENCH_EVENTS ?= 40
bench:
	cargo build --release --locked --bins $(addprefix -p fn-,$(BENCH_BINS) realtime) -p switchboard-bench
	BENCH_COMMAND="make bench BENCH_RUNS=$(BENCH_RUNS)" ./target/release/coldstart --runs $(BENCH_RUNS) $(BENCH_BINS) realtime=websocket authorizer=apikey
	@infra/scripts/bootstrap.sh stack
	.venv/stack/bin/python infra/moto/bench_query_index.py $(SLA_SMALL) $(SLA_LARGE)
	cargo run --locked --release -p switchboard-api-bench --bin api-bench -- --small $(BENCH_SMALL) --large $(BENCH_LARGE)
	cargo run --locked --release -p switchboard-api-bench --bin webhook-bench -- --events $(BENCH_WEBHOOK_EVENTS)
	cargo run --locked --release -p switchboard-api-bench --bin sla-bench -- --small $(SLA_SMALL) --large $(SLA_LARGE)
	cargo run --locked --release -p switchboard-api-bench --bin crm-bench -- --small $(CRM_SMALL) --large $(CRM_LARGE)
	cargo run --locked --release -p switchboard-api-bench --bin search-bench -- --small $(SEARCH_SMALL) --large $(SEARCH_LARGE)
	cargo run --locked -p switchboard-api-bench --bin realtime-bench -- --sockets $(BENCH_SOCKETS) --events $(BENCH_EVENTS)
	cargo run --locked -p switchboard-api-bench --bin email-bench -- --messages $(EMAIL_MESSAGES)
	$(MAKE) bench-web

## The web app's weight and speed: gzip bytes of the JS/CSS the inbox loads, and the inbox's time to
## interactive against the local stack (headless Chromium); writes bench/results/web.{md,json}.
bench-web:
	@infra/scripts/bootstrap.sh stack web browser
	cd web && npx vite build --logLevel warn
	cargo build -p local-stack --locked
	cd web && node scripts/bench.mjs

## STACK=<CloudFormation stack name> for the deploy targets; AWS credentials in env.
STACK ?= switchboard-dev

## The edge web ACL (infra/edge.yaml) in us-east-1, where CloudFront's web ACLs live whatever the main
## stack's region; prints the EdgeWebAclArn to pass to the main stack (docs/operations.md, Deploying).
## APP_ORIGIN=<the main stack's AppOrigin>, once known.
deploy-edge:
	@infra/scripts/bootstrap.sh lint
	.venv/lint/bin/sam deploy --template-file infra/edge.yaml --stack-name $(STACK)-edge --region us-east-1 --no-fail-on-empty-changeset $(if $(APP_ORIGIN),--parameter-overrides AppOrigin=$(APP_ORIGIN))
	.venv/lint/bin/sam list stack-outputs --stack-name $(STACK)-edge --region us-east-1 --output table

## Upload the web app to the stack's private bucket, write its runtime config (API and WebSocket URLs from
## the stack outputs) and invalidate CloudFront.
deploy-web: web
	@infra/scripts/bootstrap.sh lint
	.venv/lint/bin/python infra/scripts/deploy_web.py --stack $(STACK) --dist web/dist

## Regenerate docs that are generated from code (permissions matrix, OpenAPI snapshot).
docs:
	UPDATE_DOCS=1 cargo test -p switchboard-shared -p fn-api-docs --locked -- docs_

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf .venv
