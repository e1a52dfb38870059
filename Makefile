# Everyday commands. `make plan` is the newcomer's main job: no AWS account, no Pulumi CLI needed.
#   make venv                 ./venv with requirements-dev.txt (redone when a requirements file changes)
#   make plan [STACK=dev]     offline plan: resource tree on screen, plan.json, manifests, IAM, diagram in out/STACK/
#   make test                 the test suite
#   make security [STACK=dev] checkov on every stack file's manifests, platform and tenant (or STACK's), against
#                             tools/security/waivers.json (own venv)
#   make diff [STACK=dev]     what the working tree changes against HEAD, as Markdown: every stack file, or STACK's
#   make diff OLD=origin/main:dev NEW=HEAD:dev      any two sides: plan.json paths or REV:STACK (STACK='*': all)
#   PROJECT=tenant            plan or diff the tenant project's stacks (tenant/Pulumi.<team>.yaml)

PYTHON ?= python3
STACK ?= dev
# `make diff` compares every stack file unless STACK is given: a team's change is a change too.
DIFF_STACK := $(if $(filter command line environment,$(origin STACK)),$(STACK),*)
OLD ?= HEAD:$(DIFF_STACK)
NEW ?= :$(DIFF_STACK)
VENV := venv
PY := $(VENV)/bin/python
SECURITY_VENV := venv-security

.PHONY: venv plan test security diff clean

venv: $(VENV)/.installed

# uv installs the requirements (about 5 s where pip takes about a minute): pip brings in uv at the
# version pinned in requirements-dev.txt, then uv installs the rest. uv reads its own settings, not
# pip's: it takes the index from UV_DEFAULT_INDEX / UV_INDEX_URL (PyPI unless set) and the machine's
# certificate store (--system-certs, as pip does with its cert setting). Should uv fail (an index only
# pip is configured for), pip installs the same files.
# --compile-bytecode: uv, unlike pip, leaves the packages' bytecode to be compiled on first import, and
# where PYTHONDONTWRITEBYTECODE is set (as on this project's build machine) it is then never kept: every
# process compiled the SDK modules it imports again (the suite's test workers about 3.5 s each, a plan
# process about 0.2 s). Compiled once here instead (about 30 s of CPU, on every core).
UV_PIN := $(shell grep -E '^uv==' requirements-dev.txt)
UV_INSTALL = $(VENV)/bin/uv pip install --system-certs --compile-bytecode --python

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-verify.txt policy/requirements.txt pyproject.toml
	@echo "==> $(VENV): creating it with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> $(VENV): installing $(UV_PIN) with pip"
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(UV_PIN)
	@echo "==> $(VENV): installing requirements-dev.txt (the SDKs, the tools, this project) with uv"
	$(UV_INSTALL) $(VENV)/bin/python -r requirements-dev.txt \
		|| { echo "==> uv failed: installing with pip instead"; $(VENV)/bin/pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt; }
	touch $@

plan: venv
	$(PY) -m offline plan --stack $(STACK) $(if $(PROJECT),--project-dir $(PROJECT))

test: venv
	$(PY) -m pytest

# checkov's venv, installed by ./venv's uv (or pip, as above); redone only when its own pins change.
$(SECURITY_VENV)/.installed: requirements-security.txt | $(VENV)/.installed
	@echo "==> $(SECURITY_VENV): creating it with $(PYTHON)"
	$(PYTHON) -m venv $(SECURITY_VENV)
	@echo "==> $(SECURITY_VENV): installing requirements-security.txt (checkov) with uv"
	$(UV_INSTALL) $(SECURITY_VENV)/bin/python -r requirements-security.txt \
		|| { echo "==> uv failed: installing with pip instead"; $(SECURITY_VENV)/bin/pip install --disable-pip-version-check --progress-bar off -r requirements-security.txt; }
	touch $@

# Every stack file, the platform's (Pulumi.*.yaml) and the tenants' (tenant/Pulumi.*.yaml), unless STACK is
# given (PROJECT=tenant for a tenant's): each is planned once, then checkov runs once over all their
# manifests, so that a waiver one stack needs is judged stale only if no stack needs it (--partial: STACK's alone).
SECURITY_ALL := $(filter-out command line environment,$(origin STACK))
SECURITY_STACK_FILES := $(if $(SECURITY_ALL),$(sort $(wildcard Pulumi.*.yaml)) $(sort $(wildcard tenant/Pulumi.*.yaml)),$(if $(PROJECT),$(PROJECT)/)Pulumi.$(STACK).yaml)

# The plan exits 1 on a mandatory policy finding; its manifests are written all the same,
# and the test suite is where policy findings fail the build. Any other status fails here (2: the
# stack file or a setting, 70: the plan crashed), and so does a 1 without manifests: Python's own
# exit code for an exception the command could not catch (at import). The stack's out/ folder goes
# first, so that no manifests of an earlier run are checked in place of this one's.
security: venv $(SECURITY_VENV)/.installed
	@manifests=; for file in $(SECURITY_STACK_FILES); do \
		project=$$(dirname $$file); stack=$$(basename $$file .yaml); stack=$${stack#Pulumi.}; out=$$project/out/$$stack; \
		echo "==> plan $$stack ($$project)"; \
		rm -rf "$$out"; \
		$(PY) -m offline plan --stack $$stack --project-dir $$project --quiet; status=$$?; \
		[ $$status -le 1 ] || exit $$status; \
		[ -f "$$out/manifests.yaml" ] || { echo "make security: the plan of $$file wrote no manifests (exit $$status)" >&2; exit 1; }; \
		manifests="$$manifests $$out/manifests.yaml"; \
	done; \
	PYTHONPATH=tools $(SECURITY_VENV)/bin/python -m security.check $(if $(SECURITY_ALL),,--partial )$$manifests

# Exit status 1 means "there are changes", which is not a failure here.
diff: venv
	@$(PY) -m offline diff '$(OLD)' '$(NEW)' $(if $(PROJECT),--project-dir $(PROJECT)); status=$$?; [ $$status -le 1 ]

clean:
	rm -rf out
