"""Self-test checks of moto's fixes (launch.py) and of the additions in extensions/.

Each works in account A, and looks at account B to show that A's state is A's own. The
access checks are in access.py.
"""

from .harness import equal, error_of, fresh_account


def check_root_state(emu, a, b):
    equal(emu.post("/_baseline/root-state", {"account_id": a.id, "mfa_enabled": True})[0], 200)
    summary = a.client("iam").get_account_summary()["SummaryMap"]
    equal(summary["AccountMFAEnabled"], 1, "A's root MFA")
    equal(b.client("iam").get_account_summary()["SummaryMap"]["AccountMFAEnabled"], 0, "B's")


def check_s3_versioning(_emu, a, _b):
    s3 = a.client("s3")
    s3.create_bucket(Bucket=f"{a.id}-selftest")
    s3.put_bucket_versioning(Bucket=f"{a.id}-selftest",
                             VersioningConfiguration={"Status": "Enabled"})
    raw = {}

    def keep(http_response, **_):
        raw["body"] = http_response.content

    s3.meta.events.register("after-call.s3.GetBucketVersioning", keep)
    equal(s3.get_bucket_versioning(Bucket=f"{a.id}-selftest")["Status"], "Enabled")
    assert b"<VersioningConfiguration" in raw["body"], raw["body"]


def check_service_specific_credentials(_emu, a, _b):
    iam = a.client("iam")
    iam.create_user(UserName="selftest")
    listed = iam.list_service_specific_credentials(UserName="selftest")
    equal(listed["ServiceSpecificCredentials"], [], "a new user's credentials")
    try:
        iam.list_service_specific_credentials(UserName="nobody")
    except iam.exceptions.NoSuchEntityException:
        pass
    else:
        raise AssertionError("an unknown user's credentials were listed")


def check_named_query_token(_emu, a, _b):
    athena = a.client("athena", "ap-northeast-1")
    athena.create_work_group(Name="selftest")
    ask = dict(Name="q", Database="d", QueryString="SELECT 1", WorkGroup="selftest",
               ClientRequestToken="selftest-token-0123456789abcdef0123")
    first = athena.create_named_query(**ask)["NamedQueryId"]
    equal(athena.create_named_query(**ask)["NamedQueryId"], first, "the same token's query")
    listed = athena.list_named_queries(WorkGroup="selftest")["NamedQueryIds"]
    equal(listed, [first], "named queries")


def check_access_analyzer(_emu, a, b):
    analyzer = a.client("accessanalyzer", "ap-northeast-1")
    arn = analyzer.create_analyzer(analyzerName="baseline", type="ACCOUNT")["arn"]
    equal(arn, f"arn:aws:access-analyzer:ap-northeast-1:{a.id}:analyzer/baseline")
    got = analyzer.get_analyzer(analyzerName="baseline")["analyzer"]
    equal((got["name"], got["type"], got["status"], got["arn"]),
          ("baseline", "ACCOUNT", "ACTIVE", arn))
    equal([x["name"] for x in analyzer.list_analyzers(type="ACCOUNT")["analyzers"]], ["baseline"])
    equal(analyzer.list_analyzers(type="ORGANIZATION")["analyzers"], [])
    equal(error_of(analyzer.create_analyzer, analyzerName="baseline", type="ACCOUNT"),
          ("ConflictException", "Analyzer baseline already exists", 409))
    equal(a.client("accessanalyzer", "us-east-1").list_analyzers()["analyzers"], [], "other region")
    other = b.client("accessanalyzer", "ap-northeast-1")
    equal(other.list_analyzers()["analyzers"], [], "other account")
    equal(error_of(other.get_analyzer, analyzerName="baseline")[::2],
          ("ResourceNotFoundException", 404))
    analyzer.delete_analyzer(analyzerName="baseline")
    equal(error_of(analyzer.delete_analyzer, analyzerName="baseline"),
          ("ResourceNotFoundException", "Analyzer baseline not found", 404))


NOTIFICATION = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80}
EMAIL = {"SubscriptionType": "EMAIL", "Address": "ops@example.com"}
SNS = {"SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:123456789012:budget"}


def check_budgets(_emu, a, b):
    budgets = a.client("budgets")
    budgets.create_budget(
        AccountId=a.id,
        Budget={"BudgetName": "monthly", "BudgetLimit": {"Amount": "100", "Unit": "USD"},
                "TimeUnit": "MONTHLY", "BudgetType": "COST"},
        NotificationsWithSubscribers=[{"Notification": NOTIFICATION, "Subscribers": [EMAIL]}])
    name = {"AccountId": a.id, "BudgetName": "monthly"}
    listed = budgets.describe_notifications_for_budget(**name)["Notifications"]
    equal(listed, [dict(NOTIFICATION, Threshold=80.0, ThresholdType="PERCENTAGE",
                        NotificationState="OK")], "notifications")
    # A notification as read back (with its state) names the same notification.
    read_back = listed[0]
    subscribers = budgets.describe_subscribers_for_notification(**name, Notification=read_back)
    equal(subscribers["Subscribers"], [EMAIL])
    budgets.create_subscriber(**name, Notification=NOTIFICATION, Subscriber=SNS)
    equal(error_of(budgets.create_subscriber, **name, Notification=NOTIFICATION, Subscriber=SNS)[0],
          "DuplicateRecordException")
    budgets.delete_subscriber(**name, Notification=NOTIFICATION, Subscriber=EMAIL)
    gone = error_of(budgets.delete_subscriber, **name, Notification=NOTIFICATION, Subscriber=EMAIL)
    equal(gone[0], "NotFoundException")
    new = dict(NOTIFICATION, Threshold=90)
    budgets.update_notification(**name, OldNotification=read_back, NewNotification=new)
    equal(budgets.describe_subscribers_for_notification(**name, Notification=new)["Subscribers"],
          [SNS], "subscribers kept by UpdateNotification")
    equal(error_of(budgets.describe_subscribers_for_notification, **name,
                   Notification=NOTIFICATION)[0], "NotFoundException")
    budgets.update_budget(AccountId=a.id, NewBudget={
        "BudgetName": "monthly", "BudgetLimit": {"Amount": "250", "Unit": "USD"},
        "TimeUnit": "QUARTERLY", "BudgetType": "COST"})
    updated = budgets.describe_budget(**name)["Budget"]
    equal((updated["BudgetLimit"]["Amount"], updated["TimeUnit"]), ("250", "QUARTERLY"))
    assert "TimePeriod" in updated, updated
    budgets.delete_notification(**name, Notification=dict(new, NotificationState="OK"))
    equal(budgets.describe_notifications_for_budget(**name)["Notifications"], [])
    equal(error_of(budgets.delete_notification, **name, Notification=new)[0], "NotFoundException")
    other = b.client("budgets")
    equal(error_of(other.describe_budget, AccountId=b.id, BudgetName="monthly")[0],
          "NotFoundException")
    equal(error_of(other.describe_notifications_for_budget, AccountId=b.id,
                   BudgetName="monthly")[0], "NotFoundException")


def ec2_statuses(account, all_regions=True):
    regions = account.client("ec2").describe_regions(AllRegions=all_regions)["Regions"]
    return {r["RegionName"]: r["OptInStatus"] for r in regions}


def check_regions(_emu, a, b):
    account = a.client("account")
    equal(account.get_region_opt_status(RegionName="us-east-1")["RegionOptStatus"],
          "ENABLED_BY_DEFAULT")
    for region in ("ap-east-1", "af-south-1", "eu-south-1", "ap-southeast-3"):
        status = account.get_region_opt_status(RegionName=region)["RegionOptStatus"]
        equal(status, "DISABLED", region)
        equal(ec2_statuses(a)[region], "not-opted-in", region)
    listed = account.list_regions()
    equal(listed.get("NextToken"), None)
    default = account.list_regions(RegionOptStatusContains=["ENABLED_BY_DEFAULT"])["Regions"]
    equal(len(default), 17, "regions enabled by default")
    account.enable_region(RegionName="ap-east-1")
    equal(account.get_region_opt_status(RegionName="ap-east-1")["RegionOptStatus"], "ENABLED")
    equal(account.list_regions(RegionOptStatusContains=["ENABLED"])["Regions"],
          [{"RegionName": "ap-east-1", "RegionOptStatus": "ENABLED"}])
    equal((ec2_statuses(a)["ap-east-1"], ec2_statuses(a)["us-east-1"]),
          ("opted-in", "opt-in-not-required"))
    equal(ec2_statuses(b)["ap-east-1"], "not-opted-in", "B's ap-east-1")
    equal(b.client("account").get_region_opt_status(RegionName="ap-east-1")["RegionOptStatus"],
          "DISABLED", "B's ap-east-1")
    enabled = ec2_statuses(a, all_regions=False)
    assert "ap-east-1" in enabled and "af-south-1" not in enabled, enabled
    equal(error_of(account.enable_region, RegionName="us-east-1")[::2],
          ("ValidationException", 400))
    equal(error_of(account.get_region_opt_status, RegionName="xx-nowhere-1")[0],
          "ValidationException")
    account.disable_region(RegionName="ap-east-1")
    equal(ec2_statuses(a)["ap-east-1"], "not-opted-in")


def check_sns(emu, a, b):
    sns = a.client("sns", "ap-northeast-1")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    equal(sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
          ["SubscriptionArn"], "pending confirmation")
    real = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com",
                         ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert real.startswith(topic + ":"), real
    attributes = sns.get_subscription_attributes(SubscriptionArn=real)["Attributes"]
    equal(attributes["PendingConfirmation"], "true")
    hook = "https://hooks.example.com/aws"
    equal(sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=hook)["SubscriptionArn"],
          "pending confirmation")
    queue = f"arn:aws:sqs:ap-northeast-1:{a.id}:q"
    sqs_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    arns = {s["Endpoint"]: s["SubscriptionArn"]
            for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
    equal(arns, {"ops@example.com": "PendingConfirmation", hook: "PendingConfirmation",
                 queue: sqs_arn})
    equal(sorted(s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]),
          sorted(["PendingConfirmation", "PendingConfirmation", sqs_arn]))
    wrong = {"account_id": b.id, "region": "ap-northeast-1", "topic_arn": topic,
             "endpoint": "ops@example.com"}
    equal(emu.post("/_baseline/confirm-subscription", wrong)[0], 404, "B has no such subscription")
    status, answer = emu.post("/_baseline/confirm-subscription", dict(wrong, account_id=a.id))
    equal((status, answer["subscription_arns"]), (200, [real]))
    arns = {s["Endpoint"]: s["SubscriptionArn"]
            for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
    equal((arns["ops@example.com"], arns[hook]), (real, "PendingConfirmation"))
    equal(sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
          ["SubscriptionArn"], real, "a confirmed subscription's Subscribe")


def check_support(emu, a, b):
    equal(error_of(a.client("support").describe_trusted_advisor_checks, language="en"),
          ("SubscriptionRequiredException",
           "AWS Premium Support Subscription is required to use this service.", 400))
    equal(error_of(a.client("support").describe_trusted_advisor_check_summaries,
                   checkIds=["Qch7DwouX1"])[0], "SubscriptionRequiredException")
    emu.post("/_baseline/support-plan", {"account_id": b.id, "plan": "business"})
    assert b.client("support").describe_trusted_advisor_checks(language="en")["checks"]
    equal(error_of(a.client("support").describe_trusted_advisor_checks, language="en")[0],
          "SubscriptionRequiredException", "A still on Basic")


def cost_and_usage(account):
    return account.client("ce").get_cost_and_usage(
        TimePeriod={"Start": "2024-01-01", "End": "2024-01-02"}, Granularity="DAILY",
        Metrics=["UnblendedCost"])


def check_cost_explorer(emu, a, b):
    cost_and_usage(a)
    equal(emu.post("/_baseline/cost-explorer", {"account_id": a.id, "enabled": False})[0], 200)
    equal(error_of(cost_and_usage, a),
          ("AccessDeniedException", "User not enabled for cost explorer access", 400))
    cost_and_usage(b)
    emu.post("/_baseline/cost-explorer", {"account_id": a.id, "enabled": True})
    cost_and_usage(a)


CIS_12 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"


def enabled_standards(hub):
    return sorted(s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"])


def check_security_hub(_emu, a, b):
    region = "ap-northeast-1"
    hub = a.client("securityhub", region)
    equal(error_of(hub.get_enabled_standards)[::2], ("InvalidAccessException", 401))
    equal(error_of(hub.describe_standards)[0], "InvalidAccessException")
    hub.enable_security_hub(EnableDefaultStandards=False)
    equal(hub.get_enabled_standards()["StandardsSubscriptions"], [])
    arns = {s["StandardsArn"] for s in hub.describe_standards()["Standards"]}
    standards = f"arn:aws:securityhub:{region}::standards"
    cis3 = f"{standards}/cis-aws-foundations-benchmark/v/3.0.0"
    fsbp = f"{standards}/aws-foundational-security-best-practices/v/1.0.0"
    cis14 = f"{standards}/cis-aws-foundations-benchmark/v/1.4.0"
    assert {CIS_12, cis14, cis3, fsbp} <= arns, arns
    added = hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": cis3}])
    subscription = (f"arn:aws:securityhub:{region}:{a.id}:subscription/"
                    "cis-aws-foundations-benchmark/v/3.0.0")
    equal([(s["StandardsSubscriptionArn"], s["StandardsStatus"])
           for s in added["StandardsSubscriptions"]], [(subscription, "READY")])
    equal(enabled_standards(hub), [cis3])
    unknown = [{"StandardsArn": "arn:aws:securityhub:::nope"}]
    equal(error_of(hub.batch_enable_standards, StandardsSubscriptionRequests=unknown)[0],
          "InvalidInputException")
    other = b.client("securityhub", region)
    other.enable_security_hub()
    equal(enabled_standards(other), sorted([CIS_12, fsbp]), "B's default standards")
    equal(error_of(a.client("securityhub", "us-east-1").get_enabled_standards)[0],
          "InvalidAccessException", "A's other region")
    removed = hub.batch_disable_standards(StandardsSubscriptionArns=[subscription])
    equal(removed["StandardsSubscriptions"][0]["StandardsStatus"], "DELETING")
    equal(hub.get_enabled_standards()["StandardsSubscriptions"], [])


def check_organizations(emu, _a, _b):
    """CreateAccount with an e-mail the organization has fails asynchronously, as on AWS."""
    orgs = fresh_account(emu).client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    first = orgs.create_account(Email="dev@example.com", AccountName="dev")
    equal(first["CreateAccountStatus"]["State"], "SUCCEEDED", "a new e-mail")
    again = orgs.create_account(Email="DEV@example.com", AccountName="dev")["CreateAccountStatus"]
    equal((again["State"], again.get("FailureReason")), ("FAILED", "EMAIL_ALREADY_EXISTS"))
    described = orgs.describe_create_account_status(CreateAccountRequestId=again["Id"])
    equal(described["CreateAccountStatus"]["State"], "FAILED", "described")
    listed = orgs.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
    equal([s["Id"] for s in listed], [again["Id"]], "listed")
    emails = [x["Email"] for x in orgs.list_accounts()["Accounts"]]
    equal(emails.count("dev@example.com"), 1, "no second account")


SERVICE_CHECKS = [check_root_state, check_s3_versioning, check_service_specific_credentials,
                  check_named_query_token,
                  check_access_analyzer, check_budgets, check_regions, check_sns, check_support,
                  check_cost_explorer, check_security_hub, check_organizations]
