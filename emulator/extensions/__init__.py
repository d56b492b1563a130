"""AWS behaviour that moto 5.2.5 lacks or gets wrong, for the APIs baseline calls.

Each piece says what real AWS does and why the emulator needs it. All state is kept per
account id (and per region where the AWS service is regional): tests run one random account
each, so nothing here may leak between accounts. State that hangs off a moto backend object
(sns, budgets, securityhub, account) is cleared by moto's own reset like the rest.

Nothing here imports moto at import time: launch.py sets moto's environment first.

One module per service or concern; this one wires them for launch.py: the test-only
endpoints (ENDPOINTS), the services answered here (service_response) and the patches of
moto itself (patch_moto).
"""

from . import athena, budgets, contacts, iam, organizations, regions, securityhub, sns
from .access_analyzer import access_analyzer
from .cloudtrail import patch_cloudtrail_access
from .common import signing_scope
from .config import patch_config_access
from .gates import (cost_explorer, cost_explorer_gate, denied_response, deny, support_gate,
                    support_plan)

# Test-only endpoints: account states no AWS API can produce.
ENDPOINTS = {
    "/_baseline/confirm-subscription": sns.confirm_subscription,
    "/_baseline/support-plan": support_plan,
    "/_baseline/cost-explorer": cost_explorer,
    "/_baseline/deny": deny,
}

# By signing name: a handler answers (a werkzeug Response) or returns None to let moto answer.
SERVICES = {
    "access-analyzer": access_analyzer,
    "support": support_gate,
    "ce": cost_explorer_gate,
}


def service_response(environ):
    """The answer for a request of a service handled here, or None for moto's."""
    scope = signing_scope(environ)
    if scope is None:
        return None
    denied = denied_response(environ, scope[1])
    if denied is not None:
        return denied
    if scope[1] not in SERVICES:
        return None
    return SERVICES[scope[1]](environ, scope[0])


def patch_moto():
    budgets.patch_budgets()
    organizations.patch_organizations()
    regions.patch_regions()
    contacts.patch_contact_information()
    sns.patch_sns()
    securityhub.patch_securityhub()
    iam.patch_iam()
    athena.patch_athena()
    patch_cloudtrail_access()
    patch_config_access()
