# Everyday commands. `make plan` is the newcomer's main job: no AWS account, no Pulumi CLI needed.
#   make venv                 ./venv with requirements-dev.txt (redone when a requirements file changes)
#   make plan [STACK=dev]     offline plan: resource tree on screen, plan.json, manifests, IAM, diagram in out/STACK/
#   make test                 the test suite
#   make security [STACK=dev] checkov on the plan's manifests, against tools/security/waivers.json (own venv)
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

$(VENV)/.installed: requirements.txt requirements-dev.txt policy/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

plan: venv
	$(PY) -m offline plan --stack $(STACK) $(if $(PROJECT),--project-dir $(PROJECT))

test: venv
	$(PY) -m pytest

$(SECURITY_VENV)/.installed: requirements-security.txt
	$(PYTHON) -m venv $(SECURITY_VENV)
	$(SECURITY_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-security.txt
	touch $@

# The plan exits 1 on a mandatory policy finding; its manifests are written all the same,
# and the test suite is where policy findings fail the build.
security: venv $(SECURITY_VENV)/.installed
	@$(PY) -m offline plan --stack $(STACK) > /dev/null; status=$$?; [ $$status -le 1 ]
	PYTHONPATH=tools $(SECURITY_VENV)/bin/python -m security.check out/$(STACK)/manifests.yaml

# Exit status 1 means "there are changes", which is not a failure here.
diff: venv
	@$(PY) -m offline diff '$(OLD)' '$(NEW)' $(if $(PROJECT),--project-dir $(PROJECT)); status=$$?; [ $$status -le 1 ]

clean:
	rm -rf out
