"""Calls AWS refuses for the account's state, where moto answers them all.

Three states: the Basic support plan (no AWS Support API), Cost Explorer not enabled, and
writes denied by policy. A test-only endpoint sets each per account; every account starts
as a new AWS account is (Basic support, Cost Explorer enabled, nothing denied).
"""

from .common import aws_json_error, caller_account, ok, rest_json_error, test_body


def switch(members, member, on):
    """Puts `member` in the set `members` when `on`, else takes it out."""
    if on:
        members.add(member)
    else:
        members.discard(member)


# --- the AWS Support plan -------------------------------------------------------------------
# A new account has the Basic support plan, and AWS answers every AWS Support API call
# (Trusted Advisor included) with SubscriptionRequiredException; moto answers as if the
# account had Business support. POST /_baseline/support-plan switches an account's plan.

SUPPORT_PLANS = {}  # account -> "basic" | "developer" | "business" | "enterprise"


def support_gate(environ, _region):
    if SUPPORT_PLANS.get(caller_account(environ), "basic") in ("basic", "developer"):
        return aws_json_error("SubscriptionRequiredException",
                              "AWS Premium Support Subscription is required to use this service.")
    return None


def support_plan(request):
    """POST {"account_id", "plan": "basic" | "developer" | "business" | "enterprise"}."""
    body = test_body(request)
    SUPPORT_PLANS[str(body["account_id"])] = body["plan"]
    return ok()


# --- Cost Explorer enabled or not ---------------------------------------------------------
# Cost Explorer must be enabled once per account (in the console); until then every Cost
# Explorer API call fails with AccessDeniedException "User not enabled for cost explorer
# access". moto always answers. POST /_baseline/cost-explorer turns an account's off or on.

COST_EXPLORER_OFF = set()  # accounts


def cost_explorer_gate(environ, _region):
    if caller_account(environ) in COST_EXPLORER_OFF:
        return aws_json_error("AccessDeniedException", "User not enabled for cost explorer access")
    return None


def cost_explorer(request):
    """POST {"account_id", "enabled": bool}; every account starts enabled."""
    body = test_body(request)
    switch(COST_EXPLORER_OFF, str(body["account_id"]), not body.get("enabled", True))
    return ok()


# --- denied writes ------------------------------------------------------------------------
# A role whose policy (or an SCP) denies writes to a service answers AccessDeniedException
# on every write; moto allows everything. POST /_baseline/deny makes one account's writes
# (non-GET requests) to one REST service denied, to test that a failure in one account
# leaves the others applied.

DENIED_WRITES = set()  # (account, signing name)


def deny(request):
    """POST {"account_id", "service": signing name, "denied": bool}."""
    body = test_body(request)
    switch(DENIED_WRITES, (str(body["account_id"]), body["service"]), body.get("denied", True))
    return ok()


def denied_response(environ, service):
    if environ.get("REQUEST_METHOD") == "GET":
        return None
    if (caller_account(environ), service) not in DENIED_WRITES:
        return None
    return rest_json_error(403, "AccessDeniedException",
                           "User is not authorized to perform this action (an explicit deny)")
