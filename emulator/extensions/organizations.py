"""Organizations: CreateAccount with an e-mail the organization already has fails, as on AWS.

AWS creates accounts asynchronously; a request whose e-mail belongs to an existing account
ends FAILED with FailureReason EMAIL_ALREADY_EXISTS (DescribeCreateAccountStatus and
ListCreateAccountStatus show it), and no account is made. moto made a second account with the
same e-mail, so a CreateAccount retried after a lost answer duplicated the account here where
AWS would refuse it, and the apply's handling of that refusal went untested.
"""

import datetime


def patch_organizations():
    from moto.organizations import utils
    from moto.organizations.models import OrganizationsBackend
    from moto.organizations.exceptions import AWSOrganizationsNotInUseException

    def failed_requests(backend):
        if not hasattr(backend, "_baseline_failed_requests"):
            backend._baseline_failed_requests = {}
        return backend._baseline_failed_requests

    original_create = OrganizationsBackend.create_account

    def create_account(self, **kwargs):
        if self.org is None:
            raise AWSOrganizationsNotInUseException
        email = (kwargs.get("Email") or "").lower()
        taken = any(a.email.lower() == email and a.status == "ACTIVE" for a in self.accounts)
        if not taken:
            return original_create(self, **kwargs)
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        status = {
            "Id": utils.make_random_create_account_status_id(),
            "AccountName": kwargs.get("AccountName"),
            "State": "FAILED",
            "RequestedTimestamp": now,
            "CompletedTimestamp": now,
            "FailureReason": "EMAIL_ALREADY_EXISTS",
        }
        failed_requests(self)[status["Id"]] = status
        return {"CreateAccountStatus": status}

    original_describe = OrganizationsBackend.describe_create_account_status

    def describe_create_account_status(self, **kwargs):
        failed = failed_requests(self).get(kwargs.get("CreateAccountRequestId"))
        if failed is not None:
            return {"CreateAccountStatus": failed}
        return original_describe(self, **kwargs)

    original_list = OrganizationsBackend.list_create_account_status

    def list_create_account_status(self, **kwargs):
        listed = original_list(self, **kwargs)
        states = kwargs.get("States") or ["IN_PROGRESS", "SUCCEEDED", "FAILED"]
        if "FAILED" in states and not kwargs.get("NextToken"):
            listed["CreateAccountStatuses"] = (listed["CreateAccountStatuses"]
                                               + list(failed_requests(self).values()))
        return listed

    OrganizationsBackend.create_account = create_account
    OrganizationsBackend.describe_create_account_status = describe_create_account_status
    OrganizationsBackend.list_create_account_status = list_create_account_status
