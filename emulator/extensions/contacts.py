"""The account's primary contact information, which moto's Account API lacks.

AWS: every account has a primary contact, filled in at sign-up (name, address, phone);
GetContactInformation reads it and PutContactInformation replaces it. A new emulated account
gets a complete sample record.
"""

from .common import account_of, add_actions


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

    add_actions(AccountResponse, urls.url_paths, {
        "getContactInformation": get_contact_information,
        "putContactInformation": put_contact_information})
