"""SNS subscriptions that wait for their owner's confirmation, as in AWS.

AWS: an email, email-json, http or https subscription waits until its owner follows the
link. Until then Subscribe answers SubscriptionArn "pending confirmation" (the real ARN
only with ReturnSubscriptionArn=true), the list APIs show SubscriptionArn
"PendingConfirmation", and nothing is delivered to it. moto confirms every subscription at
once. POST /_baseline/confirm-subscription plays the owner following the link.
"""

from .common import json_response, ok, test_body


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
