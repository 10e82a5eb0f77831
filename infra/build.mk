# Lambda builds, the Lambda smoke test and the cold-start report; included by
# the root Makefile.
#
#   make build       every function as bin/lambda/<family>/bootstrap (linux/arm64)
#   make smoke       every function built for this machine, run under the AWS
#                    Lambda Runtime Interface Emulator: the captcha -> register
#                    -> login -> account journey, the SMS and email code flows
#                    against loopback Aliyun and SES fakes, and every third-party
#                    login against the fake providers (infra/smoke)
#   make coldstart   binary sizes and init durations next to a bare handler
#   make generate    rewrite what derives from the family declarations of
#                    shared/families: their list, the method names, and
#                    template.yaml's functions, policies, routes and outputs
#
# `sam build` (BuildMethod: makefile) runs `make build-<LogicalId>` with
# ARTIFACTS_DIR set, once per function in template.yaml: it copies only the
# function's CodeUri (functions/<family>) to a scratch folder, and runs the
# root Makefile (Metadata ContextPath) in the repository itself (Metadata
# WorkingDirectory), so go build sees the whole module and reuses its build
# cache, and nothing else (bin/, node_modules) is copied.

# Every functions/<family> with a main.go, and its template.yaml logical id
# (login-types -> LoginTypesFunction); infra/deploy's test checks both
# against template.yaml.
LAMBDA_FAMILIES := $(sort $(patsubst functions/%/main.go,%,$(wildcard functions/*/main.go)))
lambda_logical_id = $(shell echo '$(1)' | sed -E 's/(^|-)([a-z])/\U\2/g')Function

LAMBDA_FLAGS := -trimpath -ldflags "-s -w" -tags lambda.norpc
HOST_GOARCH := $(shell go env GOARCH)

# lambda_go_build GOARCH, output, package
lambda_go_build = CGO_ENABLED=0 GOOS=linux GOARCH=$(1) go build $(LAMBDA_FLAGS) -o $(2) $(3)

RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
RIE := bin/aws-lambda-rie
RIE_STAMP := bin/.aws-lambda-rie-$(RIE_VERSION)

.PHONY: build smoke coldstart lambda-host rie generate

define lambda_sam_target
.PHONY: build-$(2)
build-$(2):
	$$(if $$(ARTIFACTS_DIR),,$$(error ARTIFACTS_DIR is not set: sam build sets it))
	$$(call lambda_go_build,arm64,$$(ARTIFACTS_DIR)/bootstrap,./functions/$(1))
endef
$(foreach f,$(LAMBDA_FAMILIES),$(eval $(call lambda_sam_target,$(f),$(call lambda_logical_id,$(f)))))

build:
	$(foreach f,$(LAMBDA_FAMILIES),$(call lambda_go_build,arm64,bin/lambda/$(f)/bootstrap,./functions/$(f))$(newline))

# lambda-host: every function for this machine, for the emulator.
lambda-host:
	$(foreach f,$(LAMBDA_FAMILIES),$(call lambda_go_build,$(HOST_GOARCH),bin/smoke/$(f)/bootstrap,./functions/$(f))$(newline))

rie: $(RIE_STAMP)
$(RIE_STAMP):
	GOBIN=$(CURDIR)/bin go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)
	touch $@

smoke: lambda-host $(RIE_STAMP)
	IDCO_SMOKE_BIN=$(CURDIR)/bin/smoke IDCO_SMOKE_RIE=$(CURDIR)/$(RIE) \
		go test -count=1 -v -run 'TestLambda' ./infra/smoke/

# coldstart: the functions and a bare aws-lambda-go handler, for this
# machine (measured) and for arm64 (sized), then the report.
COLDSTART_RUNS ?= 7
coldstart: lambda-host build $(RIE_STAMP)
	$(call lambda_go_build,$(HOST_GOARCH),bin/bare/host/bootstrap,./infra/smoke/bare)
	$(call lambda_go_build,arm64,bin/bare/arm64/bootstrap,./infra/smoke/bare)
	go run ./infra/smoke/coldstart -runs $(COLDSTART_RUNS) -rie $(RIE) \
		-host bin/smoke -arm64 bin/lambda -bare-host bin/bare/host/bootstrap -bare-arm64 bin/bare/arm64/bootstrap

define newline


endef

# generate: what derives from the family declarations (shared/families/*):
# the list shared/families/all, cloudobj's method names, and template.yaml's
# generated blocks (functions, policies, log groups, routes, URL outputs).
# Two steps, since the second runs with the list the first wrote.
# infra/deploy's TestGenerated fails until it is rerun after a change.
generate:
	go run ./infra/deploy/generate/list
	go run ./infra/deploy/generate
