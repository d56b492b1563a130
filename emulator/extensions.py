"""AWS behaviour that moto 5.2.5 lacks or gets wrong, for the APIs baseline calls.

Each piece says what real AWS does and why the emulator needs it. All state is kept per
account id (and per region where the AWS service is regional): tests run one random account
each, so nothing here may leak between accounts. State that hangs off a moto backend object
(sns, budgets, securityhub, account) is cleared by moto's own reset like the rest.

Nothing here imports moto at import time: launch.py sets moto's environment first.
"""

import copy
import datetime
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import uuid
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response


# --- who is calling ----------------------------------------------------------------------


def signing_scope(environ):
    """(region, service) of the SigV4 credential scope `KEY/DATE/REGION/SERVICE/aws4_request`,
    or None. The SDKs send every service to the one emulator port (AWS_ENDPOINT_URL), so the
    signing name is what says which service a request is for, as moto itself decides."""
    match = re.search(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request",
                      environ.get("HTTP_AUTHORIZATION", ""))
    return (match.group(1), match.group(2)) if match else None


def caller_account(environ):
    """The account a request acts in, found as moto's BaseResponse.get_current_account does:
    MOTO_ACCOUNT_ID, then the x-moto-account-id header, then the account that owns the access
    key (keys from sts:AssumeRole belong to the role's account), else moto's default."""
    from moto.core.responses import BaseResponse
    from moto.iam.models import get_account_id_from

    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    match = BaseResponse.access_key_regex.search(environ.get("HTTP_AUTHORIZATION", ""))
    return get_account_id_from(match.group(1) if match else "AKIAEXAMPLE")


def json_response(body, status=200, content_type="application/json", headers=()):
    response = Response(json.dumps(body), status=status, content_type=content_type)
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    for name, value in headers:
        response.headers[name] = value
    return response


def rest_json_error(status, code, message, **fields):
    """An error as rest-json services send it: the code in x-amzn-ErrorType, the message in
    the body."""
    return json_response({"message": message, **fields}, status=status,
                         headers=[("x-amzn-ErrorType", code)])


def aws_json_error(code, message, status=400):
    """An error as awsJson1_1 services send it: {"__type", "message"}."""
    return json_response({"__type": code, "message": message}, status=status,
                         content_type="application/x-amz-json-1.1")


@functools.cache
def service_error_class():
    """moto serializes a ServiceException with the error shapes of the service its module is
    named after; one of this module's belongs to the service being called."""
    from moto.core.exceptions import ServiceException

    class EmulatorError(ServiceException):
        pass

    return EmulatorError


def service_error(code, message):
    return service_error_class()(code, message)


def test_body(request):
    return json.loads(request.get_data() or b"{}")


def ok(**extra):
    return json_response({"ok": True, **extra})


# --- 1. IAM Access Analyzer --------------------------------------------------------------
# moto has no Access Analyzer at all. Real AWS: REST-JSON, signing name access-analyzer,
# analyzers per account and region. A new analyzer is ACTIVE at once here (AWS may show
# CREATING for a moment); findings are not emulated.

ANALYZER_TYPES = {"ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS",
                  "ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS"}
ANALYZER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,254}$")
ANALYZERS = {}  # (account, region) -> {name: analyzer summary}


def iso_now():
    """Access Analyzer's timestamps are iso8601 strings in its rest-json model."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def analyzer_not_found(name):
    return rest_json_error(404, "ResourceNotFoundException", f"Analyzer {name} not found",
                           resourceId=name, resourceType="Analyzer")


def analyzer_invalid(field, message):
    return rest_json_error(400, "ValidationException", message, reason="fieldValidationFailed",
                           fieldList=[{"name": field, "message": message}])


def create_analyzer(analyzers, account, region, request, _name):
    body = test_body(request)
    name, kind = body.get("analyzerName", ""), body.get("type", "")
    if not ANALYZER_NAME.match(name):
        return analyzer_invalid("analyzerName", f"Invalid analyzer name: {name!r}")
    if kind not in ANALYZER_TYPES:
        return analyzer_invalid("type", f"Invalid analyzer type: {kind!r}")
    if name in analyzers:
        return rest_json_error(409, "ConflictException", f"Analyzer {name} already exists",
                               resourceId=name, resourceType="Analyzer")
    arn = f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}"
    analyzers[name] = {"arn": arn, "name": name, "type": kind, "createdAt": iso_now(),
                       "status": "ACTIVE", "tags": body.get("tags") or {}}
    if body.get("configuration"):
        analyzers[name]["configuration"] = body["configuration"]
    return json_response({"arn": arn})


def get_analyzer(analyzers, _account, _region, _request, name):
    if name not in analyzers:
        return analyzer_not_found(name)
    return json_response({"analyzer": analyzers[name]})


def list_analyzers(analyzers, _account, _region, request, _name):
    kind = request.args.get("type")
    listed = [a for a in analyzers.values() if kind in (None, a["type"])]
    return json_response({"analyzers": listed})


def delete_analyzer(analyzers, _account, _region, _request, name):
    if analyzers.pop(name, None) is None:
        return analyzer_not_found(name)
    return json_response({})


ANALYZER_ROUTES = [
    ("PUT", re.compile(r"^/analyzer/?$"), create_analyzer),
    ("GET", re.compile(r"^/analyzer/?$"), list_analyzers),
    ("GET", re.compile(r"^/analyzer/(?P<name>[^/]+)$"), get_analyzer),
    ("DELETE", re.compile(r"^/analyzer/(?P<name>[^/]+)$"), delete_analyzer),
]


def access_analyzer(environ, region):
    request = Request(environ)
    account = caller_account(environ)
    analyzers = ANALYZERS.setdefault((account, region), {})
    for method, path, handler in ANALYZER_ROUTES:
        match = path.match(request.path)
        if request.method == method and match:
            name = unquote(match.groupdict().get("name") or "")
            return handler(analyzers, account, region, request, name)
    return rest_json_error(501, "NotImplementedException",
                           f"the emulator has no access-analyzer {request.method} {request.path}")


# --- 2. Budgets ----------------------------------------------------------------------------
# moto stores a notification's subscribers but has no API to read or change them, nor
# UpdateBudget/UpdateNotification. AWS identifies a notification by its type, comparison,
# threshold and threshold type (PERCENTAGE when not given); NotificationState (OK until the
# budget is exceeded) is output only. moto compared whole dicts, so a notification read back
# (with its state) never matched; it also ignored deleting one that does not exist, and
# answered a 500 for the notifications of a missing budget, where AWS says NotFoundException.


def notification_key(notification):
    return (notification.get("NotificationType"), notification.get("ComparisonOperator"),
            float(notification.get("Threshold", 0)),
            notification.get("ThresholdType") or "PERCENTAGE")


def stored_notification(details):
    """A notification as AWS describes it: threshold type and state (OK: no emulated spend
    ever exceeds a budget) always present."""
    stored = dict(details, NotificationState="OK")
    stored.setdefault("ThresholdType", "PERCENTAGE")
    return stored


def subscriber_key(subscriber):
    return (subscriber.get("SubscriptionType"), subscriber.get("Address"))


def find_budget(backend, account_id, name):
    from moto.budgets.exceptions import NotFoundException

    budget = backend.budgets[account_id].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
    return budget


def find_notification(budget, details):
    from moto.budgets.exceptions import NotFoundException

    for notification in budget.notifications:
        if notification_key(notification.details) == notification_key(details):
            return notification
    raise NotFoundException(
        f"Unable to find notification {' '.join(map(str, notification_key(details)))} "
        f"of budget {budget.budget['BudgetName']} - the notification doesn't exist.")


def budget_notification(response, param="Notification"):
    """(notification, budget) named by a request's AccountId, BudgetName and `param`."""
    budget = find_budget(response.backend, response._get_param("AccountId"),
                         response._get_param("BudgetName"))
    return find_notification(budget, response._get_param(param)), budget


def describe_subscribers_for_notification(self):
    notification, _ = budget_notification(self)
    return json.dumps({"Subscribers": notification.subscribers})


def create_subscriber(self):
    from moto.budgets.exceptions import DuplicateRecordException

    notification, _ = budget_notification(self)
    subscriber = self._get_param("Subscriber")
    if subscriber_key(subscriber) in map(subscriber_key, notification.subscribers):
        raise DuplicateRecordException("subscriber", subscriber.get("Address"))
    notification.subscribers.append(subscriber)
    return json.dumps({})


def delete_subscriber(self):
    from moto.budgets.exceptions import NotFoundException

    notification, _ = budget_notification(self)
    wanted = subscriber_key(self._get_param("Subscriber"))
    kept = [s for s in notification.subscribers if subscriber_key(s) != wanted]
    if len(kept) == len(notification.subscribers):
        raise NotFoundException("Unable to delete subscriber - the subscriber doesn't exist.")
    notification.subscribers = kept
    return json.dumps({})


def update_subscriber(self):
    from moto.budgets.exceptions import NotFoundException

    notification, _ = budget_notification(self)
    old = subscriber_key(self._get_param("OldSubscriber"))
    index = [subscriber_key(s) for s in notification.subscribers]
    if old not in index:
        raise NotFoundException("Unable to update subscriber - the subscriber doesn't exist.")
    notification.subscribers[index.index(old)] = self._get_param("NewSubscriber")
    return json.dumps({})


def update_notification(self):
    """AWS replaces the notification's fields and keeps its subscribers."""
    from moto.budgets.exceptions import DuplicateRecordException

    notification, budget = budget_notification(self, "OldNotification")
    new = self._get_param("NewNotification")
    if notification_key(new) != notification_key(notification.details):
        if any(notification_key(n.details) == notification_key(new) for n in budget.notifications):
            raise DuplicateRecordException("notification", budget.budget["BudgetName"])
    notification.details = stored_notification(new)
    return json.dumps({})


def update_budget(self):
    """AWS changes every part of a budget but its name and calculated spend; the time period
    stays when NewBudget has none."""
    from moto.budgets.exceptions import BudgetMissingLimit
    from moto.core.utils import unix_time

    new = dict(self._get_param("NewBudget"))
    budget = find_budget(self.backend, self._get_param("AccountId"), new.get("BudgetName"))
    if "BudgetLimit" not in new and "PlannedBudgetLimits" not in new:
        raise BudgetMissingLimit()
    for kept in ("TimePeriod", "CalculatedSpend"):
        if kept not in new and kept in budget.budget:
            new[kept] = budget.budget[kept]
    new["LastUpdatedTime"] = unix_time()
    budget.budget = new
    return json.dumps({})


def patch_budgets():
    from moto.budgets import models
    from moto.budgets.exceptions import DuplicateRecordException
    from moto.budgets.responses import BudgetsResponse

    original_init = models.Notification.__init__

    def notification_init(self, details, subscribers):
        original_init(self, stored_notification(details), list(subscribers or []))

    def delete_notification(self, details):
        find_notification(self, details)
        self.notifications = [n for n in self.notifications
                              if notification_key(n.details) != notification_key(details)]

    original_create = models.BudgetsBackend.create_notification

    def create_notification(self, account_id, budget_name, notification, subscribers):
        budget = find_budget(self, account_id, budget_name)
        if any(notification_key(n.details) == notification_key(notification)
               for n in budget.notifications):
            raise DuplicateRecordException("notification", budget_name)
        original_create(self, account_id, budget_name, notification, subscribers)

    def describe_notifications(self, account_id, budget_name):
        return find_budget(self, account_id, budget_name).get_notifications()

    models.Notification.__init__ = notification_init
    models.Budget.delete_notification = delete_notification
    models.BudgetsBackend.create_notification = create_notification
    models.BudgetsBackend.describe_notifications_for_budget = describe_notifications
    for handler in (describe_subscribers_for_notification, create_subscriber, delete_subscriber,
                    update_subscriber, update_notification, update_budget):
        setattr(BudgetsResponse, handler.__name__, handler)


# --- 3. Account region opt-in, and EC2 DescribeRegions ---------------------------------------
# moto's Account API has only alternate contacts. AWS: the 17 regions that predate opt-in are
# ENABLED_BY_DEFAULT; every later one is DISABLED until account:EnableRegion. Real AWS goes
# ENABLING -> ENABLED (minutes to hours) and DISABLING -> DISABLED; here both are at once.
# ec2:DescribeRegions must agree per account: moto lists af-south-1, ap-southeast-3 and
# eu-south-1 as opt-in-not-required, but they are opt-in regions in AWS.

DEFAULT_REGIONS = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
}
EC2_STATUS = {"ENABLED_BY_DEFAULT": "opt-in-not-required", "ENABLED": "opted-in",
              "DISABLED": "not-opted-in"}


@functools.cache
def commercial_regions():
    """Every region of the aws partition, as moto's EC2 lists them."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    return tuple(r.name for r in RegionsAndZonesBackend.regions
                 if not r.name.startswith(("us-gov-", "cn-")))


def opted_in(account_id):
    """The account's opt-in region statuses, kept on moto's account backend."""
    from moto.account.models import account_backends

    return account_backends[account_id]["aws"].__dict__.setdefault("baseline_regions", {})


def region_status(account_id, region):
    if region in DEFAULT_REGIONS:
        return "ENABLED_BY_DEFAULT"
    return opted_in(account_id).get(region, "DISABLED")


def region_invalid(message):
    return service_error("ValidationException", message)


def requested_region(response, changing=False):
    region = response._get_param("RegionName")
    if region not in commercial_regions():
        raise region_invalid(f"{region} is not a valid region name")
    if changing and region in DEFAULT_REGIONS:
        raise region_invalid(f"{region} is enabled by default and cannot be enabled or disabled")
    return region


def account_of(response):
    return response._get_param("AccountId") or response.current_account


def get_region_opt_status(self):
    from moto.core.responses import ActionResult

    region = requested_region(self)
    return ActionResult({"RegionName": region,
                         "RegionOptStatus": region_status(account_of(self), region)})


def list_regions(self):
    from moto.core.responses import ActionResult

    account = account_of(self)
    wanted = self._get_param("RegionOptStatusContains") or list(EC2_STATUS)
    regions = [{"RegionName": r, "RegionOptStatus": region_status(account, r)}
               for r in sorted(commercial_regions())]
    return ActionResult({"Regions": [r for r in regions if r["RegionOptStatus"] in wanted],
                         "NextToken": None})


def enable_region(self):
    from moto.core.responses import EmptyResult

    opted_in(account_of(self))[requested_region(self, changing=True)] = "ENABLED"
    return EmptyResult()


def disable_region(self):
    from moto.core.responses import EmptyResult

    opted_in(account_of(self))[requested_region(self, changing=True)] = "DISABLED"
    return EmptyResult()


def ec2_region(region, account_id):
    """moto's Region with the account's opt-in status (other partitions as moto has them)."""
    from moto.ec2.models.availability_zones_and_regions import Region

    if region.name not in commercial_regions():
        return region
    status = EC2_STATUS[region_status(account_id, region.name)]
    return Region(region.name, region.endpoint, status)


def patch_regions():
    from moto.account import urls
    from moto.account.responses import AccountResponse
    from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions

    handlers = {"getRegionOptStatus": get_region_opt_status, "listRegions": list_regions,
                "enableRegion": enable_region, "disableRegion": disable_region}
    for path, handler in handlers.items():
        setattr(AccountResponse, handler.__name__, handler)
        urls.url_paths["{0}/" + path + "$"] = AccountResponse.dispatch
    original = AvailabilityZonesAndRegions.describe_regions

    def describe_regions(self):
        """Without AllRegions, AWS lists only the regions enabled for the account."""
        result = original(self)
        regions = [ec2_region(r, self.current_account) for r in result.result["Regions"]]
        if not self._get_bool_param("AllRegions", False) and not self._get_param("RegionNames"):
            regions = [r for r in regions if r.opt_in_status != "not-opted-in"]
        result.result["Regions"] = regions
        return result

    AvailabilityZonesAndRegions.describe_regions = describe_regions


# --- 4. SNS subscriptions pending confirmation --------------------------------------------
# AWS: an email, email-json, http or https subscription waits until its owner follows the
# link. Until then Subscribe answers SubscriptionArn "pending confirmation" (the real ARN
# only with ReturnSubscriptionArn=true), the list APIs show SubscriptionArn
# "PendingConfirmation", and nothing is delivered to it. moto confirms every subscription at
# once. POST /_baseline/confirm-subscription plays the owner following the link.

PENDING_PROTOCOLS = {"email", "email-json", "http", "https"}


def is_pending(subscription):
    return bool(subscription.attributes.get("PendingConfirmation"))


def listed_subscription(subscription):
    arn = "PendingConfirmation" if is_pending(subscription) else subscription.arn
    return {"SubscriptionArn": arn, "Owner": subscription.owner, "Protocol": subscription.protocol,
            "Endpoint": subscription.endpoint, "TopicArn": subscription.topic_arn}


def patch_sns():
    from moto.core.responses import ActionResult
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    original_subscribe = SNSBackend.subscribe

    def subscribe(self, topic_arn, endpoint, protocol):
        existing = self._find_subscription(topic_arn, endpoint, protocol)
        subscription = original_subscribe(self, topic_arn, endpoint, protocol)
        if existing is None and protocol in PENDING_PROTOCOLS:
            subscription.attributes["PendingConfirmation"] = True
            subscription.attributes["ConfirmationWasAuthenticated"] = False
        return subscription

    original_response = SNSResponse.subscribe

    def subscribe_response(self):
        result = original_response(self)
        subscription = self.backend.subscriptions.get(result.result["SubscriptionArn"])
        if subscription and is_pending(subscription) and not self._get_bool_param(
                "ReturnSubscriptionArn", False):
            return ActionResult({"SubscriptionArn": "pending confirmation"})
        return result

    def listing(original):
        def handler(self):
            result = original(self)
            result.result["Subscriptions"] = [listed_subscription(s)
                                              for s in result.result["Subscriptions"]]
            return result
        handler.__name__ = original.__name__
        return handler

    original_publish = Subscription.publish

    def publish(self, *args, **kwargs):
        if not is_pending(self):
            original_publish(self, *args, **kwargs)

    SNSBackend.subscribe = subscribe
    SNSResponse.subscribe = subscribe_response
    SNSResponse.list_subscriptions = listing(SNSResponse.list_subscriptions)
    SNSResponse.list_subscriptions_by_topic = listing(SNSResponse.list_subscriptions_by_topic)
    Subscription.publish = publish


def confirm_subscription(request):
    """POST {"account_id", "region", "topic_arn", "endpoint"}: the endpoint's owner confirms
    every pending subscription of that endpoint to the topic."""
    from moto.sns.models import sns_backends

    body = test_body(request)
    backend = sns_backends[str(body["account_id"])][body["region"]]
    confirmed = []
    for subscription in backend.subscriptions.values():
        named = (subscription.topic_arn, subscription.endpoint) == (body["topic_arn"],
                                                                    body["endpoint"])
        if named and is_pending(subscription):
            subscription.attributes["PendingConfirmation"] = False
            subscription.confirmed = True
            confirmed.append(subscription.arn)
    if not confirmed:
        return json_response({"ok": False, "error": "no pending subscription"}, status=404)
    return ok(subscription_arns=confirmed)


# --- 5. AWS Support plan ---------------------------------------------------------------------
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


# --- 6. Cost Explorer enabled or not ------------------------------------------------------------
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
    account = str(body["account_id"])
    if body.get("enabled", True):
        COST_EXPLORER_OFF.discard(account)
    else:
        COST_EXPLORER_OFF.add(account)
    return ok()


# --- 7. Security Hub standards -------------------------------------------------------------------
# moto enables the hub but has no standards. AWS: standards per account and region, each
# subscription arn:aws:securityhub:REGION:ACCOUNT:subscription/<standard path>. A new
# subscription is PENDING for a while, then READY; here it is READY at once, and a disabled
# one is gone at once (AWS shows it DELETING first). EnableSecurityHub enables the two
# standards marked EnabledByDefault unless EnableDefaultStandards is false. Every call
# needs the hub: InvalidAccessException (401) otherwise.

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

    for path in ("standards", "standards/get", "standards/register", "standards/deregister"):
        urls.url_paths["{0}/" + path + "$"] = SecurityHubResponse.dispatch
    for handler in (describe_standards, get_enabled_standards, batch_enable_standards,
                    batch_disable_standards):
        setattr(SecurityHubResponse, handler.__name__, handler)
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


# --- 9. Denied calls ------------------------------------------------------------------------------
# A role whose policy (or an SCP) denies writes to a service answers AccessDeniedException
# on every write; moto allows everything. POST /_baseline/deny makes one account's writes
# (non-GET requests) to one REST service denied, to test that a failure in one account
# leaves the others applied.

DENIED_WRITES = set()  # (account, signing name)


def deny(request):
    """POST {"account_id", "service": signing name, "denied": bool}."""
    body = test_body(request)
    key = (str(body["account_id"]), body["service"])
    if body.get("denied", True):
        DENIED_WRITES.add(key)
    else:
        DENIED_WRITES.discard(key)
    return ok()


def denied_response(environ, service):
    if environ.get("REQUEST_METHOD") == "GET":
        return None
    if (caller_account(environ), service) not in DENIED_WRITES:
        return None
    return rest_json_error(403, "AccessDeniedException",
                           "User is not authorized to perform this action (an explicit deny)")


# --- wiring ------------------------------------------------------------------------------------

# Test-only endpoints: account states no AWS API can produce.
ENDPOINTS = {
    "/_baseline/confirm-subscription": confirm_subscription,
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


# --- 8. Account primary contact information ----------------------------------------------
# moto's Account API has no contact information. AWS: every account has a primary contact,
# filled in at sign-up (name, address, phone); GetContactInformation reads it and
# PutContactInformation replaces it. A new emulated account gets a complete sample record.

CONTACTS = {}


def sample_contact():
    return {"FullName": "Emulated Owner", "AddressLine1": "1-1 Example", "City": "Tokyo",
            "PostalCode": "100-0001", "CountryCode": "JP", "PhoneNumber": "+81-3-0000-0000"}


def get_contact_information(self):
    from moto.core.responses import ActionResult

    account = account_of(self)
    return ActionResult({"ContactInformation": CONTACTS.get(account, sample_contact())})


def put_contact_information(self):
    from moto.core.responses import EmptyResult

    CONTACTS[account_of(self)] = self._get_param("ContactInformation")
    return EmptyResult()


def patch_contact_information():
    from moto.account import urls
    from moto.account.responses import AccountResponse

    handlers = {"getContactInformation": get_contact_information,
                "putContactInformation": put_contact_information}
    for path, handler in handlers.items():
        setattr(AccountResponse, handler.__name__, handler)
        urls.url_paths["{0}/" + path + "$"] = AccountResponse.dispatch


# --- 10. Access checks AWS makes at the API ------------------------------------------------
# moto enforces no bucket, key or trust policy. AWS refuses some calls at once when a policy
# would stop the service from delivering later: CloudTrail's CreateTrail and UpdateTrail
# test its bucket, its KMS key and its CloudWatch Logs role, and Config's PutDeliveryChannel
# tests its bucket (and the key the objects would be encrypted with). Here each such test asks
# the access-rule oracle (oracle/evaluate.mjs, @cloud-copilot/iam-simulate) whether AWS would
# allow the request the service makes, before moto stores anything, so a refused call
# changes nothing. The oracle runs as one long-lived `node` process, started at the first
# check; when node or oracle/node_modules is missing the checked call fails (status 501,
# EmulatorOracleUnavailable), never silently allowed. An oracle answer of Error (a policy it
# cannot evaluate) fails the call too (501, EmulatorAccessCheckFailed). A refusal carries
# AWS's error code and message; the x-baseline-access-check header names the request that
# was denied.

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE_SCRIPT = os.path.join("oracle", "evaluate.mjs")
ORACLE_PACKAGE = os.path.join("oracle", "node_modules", "@cloud-copilot", "iam-simulate")
ORACLE_SETUP = "run scripts/oracle-setup (needs Node.js 18 or later with npm)"


@functools.cache
def access_error_classes():
    from moto.core.exceptions import JsonRESTError

    class AccessCheckDenied(JsonRESTError):
        """A refusal as the service sends it (awsJson: {"__type", "message"}), plus a header
        that says which request the policies denied."""

        def __init__(self, code, message, detail):
            super().__init__(code, message)
            self.detail = detail

        def get_headers(self, *args, **kwargs):
            return [*super().get_headers(*args, **kwargs),
                    ("x-baseline-access-check", self.detail.encode("ascii", "replace").decode())]

    class EmulatorFault(JsonRESTError):
        code = 501  # not retried by the SDKs, unlike 500

    return AccessCheckDenied, EmulatorFault


def oracle_unavailable(message):
    """The oracle cannot be asked: not installed, or its process stopped."""
    return access_error_classes()[1]("EmulatorOracleUnavailable", message)


class Oracle:
    """The oracle as a long-lived subprocess: one JSON line in, one JSON line out."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = None
        self.stderr = None
        self.asked = 0

    def start(self):
        node = shutil.which("node")
        if node is None:
            raise oracle_unavailable(
                f"the emulator's access checks need node on PATH: {ORACLE_SETUP}")
        if not os.path.isdir(os.path.join(REPO_ROOT, ORACLE_PACKAGE)):
            raise oracle_unavailable(
                f"the emulator's access checks need {ORACLE_PACKAGE}: {ORACLE_SETUP}")
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [node, ORACLE_SCRIPT], cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, text=True, encoding="utf-8", bufsize=1)

    def died(self):
        """The error for an oracle process that stopped answering; the next ask starts anew."""
        process, self.process = self.process, None
        process.kill()
        process.wait()
        self.stderr.seek(0)
        said = self.stderr.read().decode(errors="replace").strip()[-2000:]
        return oracle_unavailable(
            f"the oracle (node {ORACLE_SCRIPT}) stopped: {said or 'no output'}; {ORACLE_SETUP}")

    def ask(self, question):
        """The oracle's answer to one question (a dict of oracle/evaluate.mjs's protocol)."""
        with self.lock:
            if self.process is None:
                self.start()
            self.asked += 1
            question = dict(question, id=str(self.asked))
            try:
                self.process.stdin.write(json.dumps(question) + "\n")
                self.process.stdin.flush()
                line = self.process.stdout.readline()
            except (BrokenPipeError, OSError):
                line = ""
            if not line:
                raise self.died()
            answer = json.loads(line)
            if answer.get("id") != question["id"]:
                raise self.died()
            return answer


ORACLE = Oracle()


def policy_json(document):
    """A stored policy document (moto keeps the text, sometimes URL-encoded) as a dict."""
    if isinstance(document, bytes):
        document = document.decode()
    if isinstance(document, dict):
        return document
    text = document.strip()
    if not text.startswith("{"):
        text = unquote(text)
    return json.loads(text)


def require(code, message, question):
    """Ask the oracle; unless the request is Allowed, refuse the call with AWS's error."""
    answer = ORACLE.ask(question)
    decision = answer["decision"]
    if decision == "Allowed":
        return
    described = (f"{question['principal']} {question['action']} {question['resource']}")
    if decision == "Error":
        raise access_error_classes()[1](
            "EmulatorAccessCheckFailed",
            f"the oracle could not evaluate {described}: {'; '.join(answer.get('errors') or [])}")
    raise access_error_classes()[0](code, message, f"{described}: {decision}")


def find_bucket(name):
    """moto's bucket of that name, in whichever account owns it, or None."""
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(name)
    if owner is None:
        return None
    partition, account = owner
    return s3_backends[account][partition].buckets.get(name)


def bucket_policy(bucket):
    return policy_json(bucket.policy) if bucket.policy else None


def organization_of(account):
    """(organization id, the account's path o-.../r-.../ou-.../) of the organization the
    account belongs to, or None."""
    from moto.organizations.models import organizations_backends

    try:
        described = organizations_backends[account]["aws"].describe_organization()
    except Exception:  # noqa: BLE001 - AWSOrganizationsNotInUseException: no organization
        return None
    org = described["Organization"]
    backend = organizations_backends[org["MasterAccountId"]]["aws"]
    units = {unit.id: unit for unit in backend.ou}
    member = next((a for a in backend.accounts if a.id == account), None)
    chain, parent = [], getattr(member, "parent_id", None)
    while parent in units and parent not in chain:
        chain.append(parent)
        parent = units[parent].parent_id
    return org["Id"], "/".join([org["Id"], *reversed(chain)]) + "/"


def source_context(account, keys=None):
    """The context keys AWS sets when a service acts for a resource of `account`:
    aws:SourceAccount, and aws:SourceOrgID and aws:SourceOrgPaths when the account is in an
    organization; plus `keys` (the request's own, e.g. aws:SourceArn)."""
    context = {"aws:SourceAccount": account, **(keys or {})}
    organization = organization_of(account)
    if organization:
        context["aws:SourceOrgID"], path = organization
        context["aws:SourceOrgPaths"] = [path]
    return context


AWS_MANAGED_ALIAS = "alias/aws/"


def find_key(key_id, account, region):
    """moto's KMS key named by a key id, key ARN, alias name or alias ARN (an ARN names its
    own account and region), or None. AWS managed keys (alias/aws/...) are returned too:
    callers tell them by `is_aws_managed`. moto's own alias lookup creates the AWS managed
    keys on first use; this lookup changes nothing."""
    from moto.kms.models import kms_backends

    if key_id.startswith("arn:"):
        parts = key_id.split(":", 5)
        if len(parts) < 6:
            return None
        region, account, resource = parts[3], parts[4], parts[5]
    else:
        resource = key_id if key_id.startswith("alias/") else f"key/{key_id}"
    keys = kms_backends[account][region].keys
    if resource.startswith("key/"):
        return keys.get(resource[len("key/"):])
    for key in keys.values():
        if resource in key.aliases:
            return key
    return None


def is_aws_managed(key):
    return key.key_manager == "AWS" or any(a.startswith(AWS_MANAGED_ALIAS) for a in key.aliases)


# CloudTrail. AWS, at CreateTrail and UpdateTrail, with the trail's final settings:
# - the bucket policy must let cloudtrail.amazonaws.com s3:GetBucketAcl on the bucket and
#   s3:PutObject (x-amz-acl bucket-owner-full-control, over TLS, for this trail) under
#   [PREFIX/]AWSLogs/ACCOUNT/, and for an organization trail also under
#   [PREFIX/]AWSLogs/ORG_ID/ACCOUNT/; else InsufficientS3BucketPolicyException;
# - with KmsKeyId, the key policy must let cloudtrail.amazonaws.com kms:GenerateDataKey with
#   the encryption context aws:cloudtrail:arn = the trail's ARN, and kms:DescribeKey; else
#   InsufficientEncryptionPolicyException (an unknown key: KmsKeyNotFoundException);
# - with CloudWatchLogsRoleArn, the role's trust policy must let cloudtrail.amazonaws.com
#   sts:AssumeRole, and the role's policies must allow logs:CreateLogStream and
#   logs:PutLogEvents on the stream ACCOUNT_CloudTrail_REGION of the log group; else
#   InvalidCloudWatchLogsRoleArnException.
# A bucket that exists in no account: S3BucketDoesNotExistException (moto checks only at
# CreateTrail, and only in the trail's own account).

BUCKET_POLICY_MESSAGE = "Incorrect S3 bucket policy is detected for bucket: {}"
ROLE_MESSAGE = "Access denied. Verify in IAM that the role has adequate permissions."


def trail_settings(trail):
    return {"account": trail.account_id, "region": trail.region_name, "name": trail.trail_name,
            "arn": trail.arn, "bucket": trail.bucket_name, "prefix": trail.s3_key_prefix,
            "organization": bool(trail.is_org_trail), "kms_key_id": trail.kms_key_id,
            "log_group_arn": trail.cw_log_group_arn, "role_arn": trail.cw_role_arn}


def check_trail_bucket(trail):
    from moto.cloudtrail.exceptions import S3BucketDoesNotExistException

    bucket = find_bucket(trail["bucket"])
    if bucket is None:
        raise S3BucketDoesNotExistException(f"S3 bucket {trail['bucket']} does not exist!")
    code = "InsufficientS3BucketPolicyException"
    message = BUCKET_POLICY_MESSAGE.format(trail["bucket"])
    source = source_context(trail["account"], {"aws:SourceArn": trail["arn"],
                                               "aws:SecureTransport": "true"})
    base = {"principal": "cloudtrail.amazonaws.com", "resource_account": bucket.account_id,
            "resource_policy": bucket_policy(bucket)}
    bucket_arn = f"arn:aws:s3:::{trail['bucket']}"
    require(code, message, dict(base, action="s3:GetBucketAcl", resource=bucket_arn,
                                context=source))
    prefix = f"{trail['prefix']}/" if trail["prefix"] else ""
    folders = [f"AWSLogs/{trail['account']}"]
    organization = organization_of(trail["account"]) if trail["organization"] else None
    if organization:
        folders.append(f"AWSLogs/{organization[0]}/{trail['account']}")
    for folder in folders:
        require(code, message, dict(
            base, action="s3:PutObject", resource=f"{bucket_arn}/{prefix}{folder}/CloudTrail/test",
            context=dict(source, **{"s3:x-amz-acl": "bucket-owner-full-control"})))


def check_trail_key(trail):
    from moto.core.exceptions import JsonRESTError

    key = find_key(trail["kms_key_id"], trail["account"], trail["region"])
    if key is None:
        raise JsonRESTError("KmsKeyNotFoundException",
                            f"KMS key not found: {trail['kms_key_id']}")
    code = "InsufficientEncryptionPolicyException"
    message = (f"Insufficient permissions to access S3 bucket {trail['bucket']} "
               f"or KMS key {key.arn}.")
    source = source_context(trail["account"], {"aws:SourceArn": trail["arn"]})
    base = {"principal": "cloudtrail.amazonaws.com", "resource": key.arn,
            "resource_account": key.account_id, "resource_policy": policy_json(key.policy)}
    require(code, message, dict(base, action="kms:GenerateDataKey", context=dict(
        source, **{"kms:EncryptionContext:aws:cloudtrail:arn": trail["arn"],
                   "kms:EncryptionContextKeys": ["aws:cloudtrail:arn"]})))
    require(code, message, dict(base, action="kms:DescribeKey", context=source))


def role_policies(role):
    """The role's inline policies and the default versions of its attached managed ones."""
    documents = [policy_json(document) for document in role.policies.values()]
    for managed in role.managed_policies.values():
        default = next(v for v in managed.versions if v.is_default)
        documents.append(policy_json(default.document))
    return documents


def check_trail_role(trail):
    from moto.iam.models import iam_backends

    code = "InvalidCloudWatchLogsRoleArnException"
    arn = trail["role_arn"]
    parts = arn.split(":", 5)
    role = None
    if len(parts) == 6 and parts[2] == "iam":
        try:
            role = iam_backends[parts[4]]["aws"].get_role_by_arn(arn)
        except Exception:  # noqa: BLE001 - NotFoundException: no such role
            role = None
    if role is None:
        from moto.core.exceptions import JsonRESTError

        raise JsonRESTError(code, ROLE_MESSAGE)
    source = source_context(trail["account"], {"aws:SourceArn": trail["arn"]})
    require(code, ROLE_MESSAGE, {
        "principal": "cloudtrail.amazonaws.com", "action": "sts:AssumeRole", "resource": arn,
        "resource_account": role.account_id,
        "resource_policy": policy_json(role.assume_role_policy_document), "context": source})
    if not trail["log_group_arn"]:
        return
    group = trail["log_group_arn"].split(":")
    if len(group) < 7 or group[5] != "log-group":
        return  # not a log group ARN: AWS says InvalidCloudWatchLogsLogGroupArnException
    stream = (f"arn:aws:logs:{group[3]}:{group[4]}:log-group:{group[6]}:log-stream:"
              f"{trail['account']}_CloudTrail_{trail['region']}")
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        require(code, ROLE_MESSAGE, {
            "principal": arn, "action": action, "resource": stream, "resource_account": group[4],
            "identity_policies": role_policies(role)})


def check_trail(trail):
    """Every test AWS makes of a trail's settings, in AWS's order: bucket, key, role."""
    settings = trail_settings(trail)
    check_trail_bucket(settings)
    if settings["kms_key_id"]:
        check_trail_key(settings)
    if settings["role_arn"]:
        check_trail_role(settings)


def patch_cloudtrail_access():
    from moto.cloudtrail.models import CloudTrailBackend, Trail

    original_init = Trail.__init__

    def trail_init(self, *args, **kwargs):
        """moto's own checks (name, bucket in this account, SNS topic), then AWS's access
        checks; CreateTrail stores the trail only after this returns."""
        original_init(self, *args, **kwargs)
        check_trail(self)

    original_update = CloudTrailBackend.update_trail

    def update_trail(self, name, **settings):
        """The trail as UpdateTrail would leave it is checked before moto changes it."""
        probe = copy.copy(self.get_trail(name_or_arn=name))
        probe.update(**settings)
        check_trail(probe)
        return original_update(self, name, **settings)

    Trail.__init__ = trail_init
    CloudTrailBackend.update_trail = update_trail


# Config. AWS, at PutDeliveryChannel: AWS Config writes to the bucket as its service
# principal config.amazonaws.com (baseline's recorders use the service-linked role
# AWSServiceRoleForConfig, which has no S3 write permissions), so the bucket policy must let
# config.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject (x-amz-acl
# bucket-owner-full-control, over TLS, from this account) of
# [PREFIX/]AWSLogs/ACCOUNT/Config/ConfigWritabilityCheckFile. When the object would be
# encrypted with a customer managed KMS key (the channel's s3KmsKeyArn, else the bucket's
# default encryption), S3 asks KMS for a data key on Config's behalf, so the key policy must
# let config.amazonaws.com kms:GenerateDataKey via s3.REGION.amazonaws.com with the
# encryption context aws:s3:arn = the object's ARN (the bucket's with an S3 Bucket Key).
# Any refusal: InsufficientDeliveryPolicyException. A bucket that exists nowhere:
# NoSuchBucketException; an s3KmsKeyArn that names no key: InvalidS3KmsKeyArnException.

DELIVERY_MESSAGE = "Your Amazon S3 bucket policy does not allow AWS Config to write to it."


def bucket_encryption(bucket):
    """(SSEAlgorithm, KMSMasterKeyID or None, BucketKeyEnabled) of the bucket's default
    encryption (moto keeps the parsed XML), else None."""
    rules = (bucket.encryption or {}).get("Rule") or []
    for rule in rules if isinstance(rules, list) else [rules]:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm"):
            enabled = str(rule.get("BucketKeyEnabled", "false")).lower() == "true"
            return default["SSEAlgorithm"], default.get("KMSMasterKeyID"), enabled
    return None


def check_delivery_channel(account, bucket_name, prefix, kms_key_arn):
    from moto.core.exceptions import JsonRESTError

    bucket = find_bucket(bucket_name)
    if bucket is None:
        raise JsonRESTError("NoSuchBucketException",
                            f"Cannot find a S3 bucket with the name {bucket_name}.")
    code = "InsufficientDeliveryPolicyException"
    algorithm, default_key, bucket_key = bucket_encryption(bucket) or (None, None, False)
    key = None  # the customer managed key S3 would encrypt Config's objects with
    if kms_key_arn:
        key = find_key(kms_key_arn, account, bucket.region_name)
        if key is None:
            raise JsonRESTError("InvalidS3KmsKeyArnException",
                                f"The arn '{kms_key_arn}' is not a valid kms key or alias arn.")
    elif algorithm in ("aws:kms", "aws:kms:dsse") and default_key:
        key = find_key(default_key, bucket.account_id, bucket.region_name)
        if key is None:
            raise access_error_classes()[0](
                code, DELIVERY_MESSAGE, f"the bucket's default key {default_key} does not exist")
    bucket_arn = f"arn:aws:s3:::{bucket_name}"
    object_arn = (f"{bucket_arn}/{prefix + '/' if prefix else ''}AWSLogs/{account}/Config/"
                  "ConfigWritabilityCheckFile")
    source = source_context(account, {"aws:SecureTransport": "true"})
    base = {"principal": "config.amazonaws.com", "resource_account": bucket.account_id,
            "resource_policy": bucket_policy(bucket)}
    require(code, DELIVERY_MESSAGE, dict(base, action="s3:GetBucketAcl", resource=bucket_arn,
                                         context=source))
    put = dict(source, **{"s3:x-amz-acl": "bucket-owner-full-control"})
    if kms_key_arn:
        put.update({"s3:x-amz-server-side-encryption": "aws:kms",
                    "s3:x-amz-server-side-encryption-aws-kms-key-id": kms_key_arn})
    require(code, DELIVERY_MESSAGE, dict(base, action="s3:PutObject", resource=object_arn,
                                         context=put))
    if key is None or is_aws_managed(key):
        return  # SSE-S3, or the AWS managed aws/s3 key, which S3 may always use
    # With an S3 Bucket Key (the bucket's setting, for every SSE-KMS object) S3 asks KMS for
    # the bucket's key material: the encryption context is then the bucket's ARN.
    require(code, DELIVERY_MESSAGE, {
        "principal": "config.amazonaws.com", "action": "kms:GenerateDataKey",
        "resource": key.arn, "resource_account": key.account_id,
        "resource_policy": policy_json(key.policy),
        "context": source_context(account, {
            "kms:EncryptionContext:aws:s3:arn": bucket_arn if bucket_key else object_arn,
            "kms:EncryptionContextKeys": ["aws:s3:arn"],
            "kms:ViaService": f"s3.{bucket.region_name}.amazonaws.com"})})


CONFIG_CALL = threading.local()  # the config backend of the PutDeliveryChannel in progress


def patch_config_access():
    from moto.config import models

    original_put = models.ConfigBackend.put_delivery_channel
    stored = models.ConfigDeliveryChannel

    def put_delivery_channel(self, delivery_channel):
        CONFIG_CALL.backend = self
        try:
            return original_put(self, delivery_channel)
        finally:
            CONFIG_CALL.backend = None

    def checked_delivery_channel(name, s3_bucket_name, prefix=None, sns_arn=None,
                                 s3_kms_key_arn=None, snapshot_properties=None):
        """moto builds the channel after its own checks and stores it right after: AWS's
        access checks run here, before it is stored."""
        backend = getattr(CONFIG_CALL, "backend", None)
        if backend is not None:
            check_delivery_channel(backend.account_id, s3_bucket_name, prefix, s3_kms_key_arn)
        return stored(name, s3_bucket_name, prefix=prefix, sns_arn=sns_arn,
                      s3_kms_key_arn=s3_kms_key_arn, snapshot_properties=snapshot_properties)

    models.ConfigBackend.put_delivery_channel = put_delivery_channel
    models.ConfigDeliveryChannel = checked_delivery_channel


def patch_access_checks():
    patch_cloudtrail_access()
    patch_config_access()


# --- 11. IAM service-specific credentials ------------------------------------------------
# moto 5.2.5 has no ListServiceSpecificCredentials. AWS: it lists a user's CodeCommit,
# Keyspaces and Bedrock credentials (NoSuchEntity for an unknown user); IAM refuses to delete
# a user that has any, so baseline lists them before removing a user. moto cannot create
# such credentials, so every user it knows has none.


def patch_iam():
    from moto.core.responses import ActionResult
    from moto.iam.responses import IamResponse

    def list_service_specific_credentials(self):
        self.backend.get_user(self._get_param("UserName"))
        return ActionResult({"ServiceSpecificCredentials": []})

    IamResponse.list_service_specific_credentials = list_service_specific_credentials


# --- 12. Athena CreateNamedQuery idempotency ---------------------------------------------
# moto 5.2.5 ignores ClientRequestToken. AWS: a CreateNamedQuery with a token it has seen
# returns the same query and creates no other, so an SDK retry after a lost answer (the SDK
# sends the same token again) makes no duplicate.

NAMED_QUERY_TOKENS = {}  # (account, region, token) -> named query id


def patch_athena():
    from moto.athena.responses import AthenaResponse

    original = AthenaResponse.create_named_query

    def create_named_query(self):
        token = self._get_param("ClientRequestToken")
        key = (self.current_account, self.region, token)
        if token and key in NAMED_QUERY_TOKENS:
            return json.dumps({"NamedQueryId": NAMED_QUERY_TOKENS[key]})
        answer = original(self)
        if token and isinstance(answer, str):
            NAMED_QUERY_TOKENS[key] = json.loads(answer)["NamedQueryId"]
        return answer

    AthenaResponse.create_named_query = create_named_query


def patch_moto():
    patch_budgets()
    patch_regions()
    patch_contact_information()
    patch_sns()
    patch_securityhub()
    patch_iam()
    patch_athena()
    patch_access_checks()
