"""Budgets: the subscriber and update APIs moto lacks, and notifications named as AWS names them.

moto stores a notification's subscribers but has no API to read or change them, nor
UpdateBudget/UpdateNotification. AWS identifies a notification by its type, comparison,
threshold and threshold type (PERCENTAGE when not given); NotificationState (OK until the
budget is exceeded) is output only. moto compared whole dicts, so a notification read back
(with its state) never matched; it also ignored deleting one that does not exist, and
answered a 500 for the notifications of a missing budget, where AWS says NotFoundException.
"""

import json


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


def has_notification(budget, details):
    return any(notification_key(n.details) == notification_key(details)
               for n in budget.notifications)


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


def named_subscriber(response, param, verb):
    """(notification, key of the subscriber in `param`); NotFoundException, in AWS's words for
    `verb`, when the notification has no such subscriber."""
    from moto.budgets.exceptions import NotFoundException

    notification, _ = budget_notification(response)
    key = subscriber_key(response._get_param(param))
    if key not in map(subscriber_key, notification.subscribers):
        raise NotFoundException(f"Unable to {verb} subscriber - the subscriber doesn't exist.")
    return notification, key


def delete_subscriber(self):
    notification, wanted = named_subscriber(self, "Subscriber", "delete")
    notification.subscribers = [s for s in notification.subscribers
                                if subscriber_key(s) != wanted]
    return json.dumps({})


def update_subscriber(self):
    notification, old = named_subscriber(self, "OldSubscriber", "update")
    index = list(map(subscriber_key, notification.subscribers)).index(old)
    notification.subscribers[index] = self._get_param("NewSubscriber")
    return json.dumps({})


def update_notification(self):
    """AWS replaces the notification's fields and keeps its subscribers."""
    from moto.budgets.exceptions import DuplicateRecordException

    notification, budget = budget_notification(self, "OldNotification")
    new = self._get_param("NewNotification")
    if notification_key(new) != notification_key(notification.details):
        if has_notification(budget, new):
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
        if has_notification(budget, notification):
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
