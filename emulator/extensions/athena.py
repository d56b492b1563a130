"""Athena CreateNamedQuery idempotency, which moto 5.2.5 ignores.

AWS: a CreateNamedQuery with a ClientRequestToken it has seen returns the same query and
creates no other, so an SDK retry after a lost answer (the SDK sends the same token again)
makes no duplicate.
"""

import json


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
