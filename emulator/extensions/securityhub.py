"""Security Hub standards, which moto lacks.

moto enables the hub but has no standards. AWS: standards per account and region, each
subscription arn:aws:securityhub:REGION:ACCOUNT:subscription/<standard path>. A new
subscription is PENDING for a while, then READY; here it is READY at once, and a disabled
one is gone at once (AWS shows it DELETING first). EnableSecurityHub enables the two
standards marked EnabledByDefault unless EnableDefaultStandards is false. Every call
needs the hub: InvalidAccessException (401) otherwise.
"""

import json

from .common import add_actions


CIS = "cis-aws-foundations-benchmark/v"
STANDARDS = [  # (path in the ARN, name, EnabledByDefault); AWS's descriptions are longer prose
    (f"ruleset/{CIS}/1.2.0", "CIS AWS Foundations Benchmark v1.2.0", True),
    (f"standards/{CIS}/1.4.0", "CIS AWS Foundations Benchmark v1.4.0", False),
    (f"standards/{CIS}/3.0.0", "CIS AWS Foundations Benchmark v3.0.0", False),
    ("standards/aws-foundational-security-best-practices/v/1.0.0",
     "AWS Foundational Security Best Practices v1.0.0", True),
    ("standards/pci-dss/v/3.2.1", "PCI DSS v3.2.1", False),
    ("standards/nist-800-53/v/5.0.0", "NIST Special Publication 800-53 Revision 5", False),
]


def standard_arn(path, region):
    return f"arn:aws:securityhub:::{path}" if path.startswith("ruleset/") \
        else f"arn:aws:securityhub:{region}::{path}"


def described_standards(region):
    return [{"StandardsArn": standard_arn(path, region), "Name": name, "Description": name,
             "EnabledByDefault": default, "Provider": "AWS",
             "StandardsManagedBy": {"Company": "AWS", "Product": "Security Hub"}}
            for path, name, default in STANDARDS]


def hub_standards(backend):
    """The enabled standards of a hub (one account, one region): subscription ARN -> entry."""
    from moto.securityhub.exceptions import SecurityHubClientError

    if not backend.enabled:
        raise SecurityHubClientError(
            "InvalidAccessException",
            f"Account {backend.account_id} is not subscribed to AWS Security Hub")
    return backend.__dict__.setdefault("baseline_standards", {})


def invalid_input(message):
    from moto.securityhub.exceptions import SecurityHubClientError

    return SecurityHubClientError("InvalidInputException", message)


def subscribe_standard(backend, arn):
    known = {s["StandardsArn"] for s in described_standards(backend.region_name)}
    if arn not in known:
        raise invalid_input(f"StandardsArn {arn} is not a standard of {backend.region_name}")
    path = arn.split(":", 5)[5].split("/", 1)[1]
    region, account = backend.region_name, backend.account_id
    subscription = f"arn:aws:securityhub:{region}:{account}:subscription/{path}"
    return hub_standards(backend).setdefault(subscription, {
        "StandardsSubscriptionArn": subscription, "StandardsArn": arn, "StandardsInput": {},
        "StandardsStatus": "READY", "StandardsControlsUpdatable": "READY_FOR_UPDATES"})


def request_json(response):
    body = response.body
    return json.loads(body.decode() if isinstance(body, bytes) else body or "{}")


def describe_standards(self):
    hub_standards(self.securityhub_backend)
    return json.dumps({"Standards": described_standards(self.region)})


def get_enabled_standards(self):
    wanted = request_json(self).get("StandardsSubscriptionArns")
    enabled = hub_standards(self.securityhub_backend)
    listed = [s for arn, s in enabled.items() if not wanted or arn in wanted]
    return json.dumps({"StandardsSubscriptions": listed})


def batch_enable_standards(self):
    requests = request_json(self).get("StandardsSubscriptionRequests", [])
    hub_standards(self.securityhub_backend)
    added = [subscribe_standard(self.securityhub_backend, r["StandardsArn"]) for r in requests]
    return json.dumps({"StandardsSubscriptions": added})


def batch_disable_standards(self):
    enabled = hub_standards(self.securityhub_backend)
    arns = request_json(self).get("StandardsSubscriptionArns", [])
    missing = [arn for arn in arns if arn not in enabled]
    if missing:
        raise invalid_input(f"No standards subscription {missing[0]}")
    removed = [dict(enabled.pop(arn), StandardsStatus="DELETING") for arn in arns]
    return json.dumps({"StandardsSubscriptions": removed})


def patch_securityhub():
    from moto.securityhub import urls
    from moto.securityhub.models import SecurityHubBackend
    from moto.securityhub.responses import SecurityHubResponse

    add_actions(SecurityHubResponse, urls.url_paths, {
        "standards": describe_standards, "standards/get": get_enabled_standards,
        "standards/register": batch_enable_standards,
        "standards/deregister": batch_disable_standards})
    original_enable = SecurityHubBackend.enable_security_hub
    original_disable = SecurityHubBackend.disable_security_hub

    def enable_security_hub(self, enable_default_standards=True, tags=None):
        was_enabled = self.enabled
        result = original_enable(self, enable_default_standards, tags)
        if not was_enabled and enable_default_standards:
            for path, _, default in STANDARDS:
                if default:
                    subscribe_standard(self, standard_arn(path, self.region_name))
        return result

    def disable_security_hub(self):
        result = original_disable(self)
        self.__dict__.pop("baseline_standards", None)
        return result

    SecurityHubBackend.enable_security_hub = enable_security_hub
    SecurityHubBackend.disable_security_hub = disable_security_hub
