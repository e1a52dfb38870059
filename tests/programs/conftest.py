"""Fixtures of the program tests.

- `tenant`: each committed tenant stack file's recording (`tests.tenants.tenant_recording`, once per session).
"""

import pytest

from offline.harness import Recording
from tests.tenants import TENANT_STACKS, tenant_recording


@pytest.fixture(scope="module", params=TENANT_STACKS)
def tenant(request) -> Recording:
    return tenant_recording(request.param)
