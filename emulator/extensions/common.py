"""What every addition needs: who is calling, and answers and errors in AWS's shapes.

The SDKs send every service to the one emulator port, so the request itself says which
service and which account it is for.
"""

import functools
import json
import os
import re
import uuid

from werkzeug.wrappers import Response


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


def account_of(response):
    """The account an Account API call names (AccountId), else the caller's own."""
    return response._get_param("AccountId") or response.current_account


def add_actions(response_class, url_paths, handlers):
    """Adds API actions moto lacks: each handler becomes the method of its name on moto's
    response class, and each path ({0}/PATH) a URL that moto's server sends to that class."""
    for path, handler in handlers.items():
        setattr(response_class, handler.__name__, handler)
        url_paths["{0}/" + path + "$"] = response_class.dispatch
