"""IAM Access Analyzer, which moto lacks.

moto has no Access Analyzer at all. Real AWS: REST-JSON, signing name access-analyzer,
analyzers per account and region. A new analyzer is ACTIVE at once here (AWS may show
CREATING for a moment); findings are not emulated.

ValidatePolicy (AWS's policy checks, which `baseline validate --strict` asks) is answered by
the access-rule oracle (oracle/validate.mjs): the policy type's grammar and whether each
named action exists, as ERROR findings. AWS also reports security warnings, warnings and
suggestions, which the emulator does not.
"""

import datetime
import re
from urllib.parse import unquote

from werkzeug.wrappers import Request

from .common import caller_account, json_response, rest_json_error, test_body


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


POLICY_TYPES = {"IDENTITY_POLICY", "RESOURCE_POLICY", "SERVICE_CONTROL_POLICY",
                "RESOURCE_CONTROL_POLICY"}
LEARN_MORE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"


def finding_path(path):
    """`Statement[0].Action[1]` as Access Analyzer's path elements."""
    elements = []
    for part in filter(None, path.replace("#", "").split(".")):
        match = re.match(r"^([^\[]+)((?:\[\d+\])*)$", part)
        if not match:
            elements.append({"key": part})
            continue
        elements.append({"key": match.group(1)})
        elements.extend({"index": int(i)} for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return elements


def validate_policy(_analyzers, _account, _region, request, _name):
    from .access import ORACLE

    body = test_body(request)
    kind = body.get("policyType", "")
    if kind not in POLICY_TYPES:
        return analyzer_invalid("policyType", f"Invalid policy type: {kind!r}")
    if kind == "RESOURCE_POLICY" and \
            body.get("validatePolicyResourceType") == "AWS::IAM::AssumeRolePolicyDocument":
        kind = "TRUST_POLICY"
    if kind == "RESOURCE_CONTROL_POLICY":
        kind = "RESOURCE_POLICY"
    answer = ORACLE.ask({"validate": kind, "policy": body.get("policyDocument", "")})
    if answer.get("decision") != "Validated":
        return rest_json_error(501, "EmulatorAccessCheckFailed",
                               "the oracle could not validate the policy: "
                               + "; ".join(answer.get("errors") or []))
    zero = {"line": 0, "column": 0, "offset": 0}
    findings = [{"findingDetails": f["findingDetails"], "findingType": f["findingType"],
                 "issueCode": f["issueCode"], "learnMoreLink": LEARN_MORE,
                 "locations": [{"path": finding_path(f.get("path", "")),
                                "span": {"start": zero, "end": zero}}]}
                for f in answer.get("findings") or []]
    return json_response({"findings": findings})


ANALYZER_ROUTES = [
    ("POST", re.compile(r"^/policy/validation/?$"), validate_policy),
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
