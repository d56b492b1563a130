"""IAM ListServiceSpecificCredentials, which moto 5.2.5 lacks.

AWS: it lists a user's CodeCommit, Keyspaces and Bedrock credentials (NoSuchEntity for an
unknown user); IAM refuses to delete a user that has any, so baseline lists them before
removing a user. moto cannot create such credentials, so every user it knows has none.
"""


def patch_iam():
    from moto.core.responses import ActionResult
    from moto.iam.responses import IamResponse

    def list_service_specific_credentials(self):
        self.backend.get_user(self._get_param("UserName"))
        return ActionResult({"ServiceSpecificCredentials": []})

    IamResponse.list_service_specific_credentials = list_service_specific_credentials
