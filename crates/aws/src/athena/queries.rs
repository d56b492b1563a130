//! The saved queries: the 2022 guide's first look at CloudTrail, and three a security
//! reviewer asks first. `TABLE` is replaced by the table's name. Also in docs/athena.md.

/// (name, description, SQL)
pub(crate) const QUERIES: &[(&str, &str, &str)] = &[
    (
        "recent-events",
        "The 2022 guide's first query: who called what, from where, when",
        "SELECT useridentity.arn, eventname, sourceipaddress, eventtime\nFROM TABLE\nLIMIT 100;",
    ),
    (
        "console-sign-ins",
        "Console sign-ins of the last 7 days, successful or not",
        "SELECT eventtime, useridentity.type, useridentity.arn, sourceipaddress,\n       json_extract_scalar(responseelements, '$.ConsoleLogin') AS result,\n       json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa_used\nFROM TABLE\nWHERE eventname = 'ConsoleLogin'\n  AND timestamp >= date_format(current_date - interval '7' day, '%Y/%m/%d')\nORDER BY eventtime DESC\nLIMIT 100;",
    ),
    (
        "root-activity",
        "Everything the root user did in the last 30 days (CIS 1.7: it should be nothing)",
        "SELECT eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent\nFROM TABLE\nWHERE useridentity.type = 'Root'\n  AND timestamp >= date_format(current_date - interval '30' day, '%Y/%m/%d')\nORDER BY eventtime DESC\nLIMIT 100;",
    ),
    (
        "access-denied",
        "Calls refused for lack of permission in the last 7 days",
        "SELECT eventtime, useridentity.arn, eventsource, eventname, errorcode, errormessage\nFROM TABLE\nWHERE errorcode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation',\n                    'Client.UnauthorizedOperation')\n  AND timestamp >= date_format(current_date - interval '7' day, '%Y/%m/%d')\nORDER BY eventtime DESC\nLIMIT 100;",
    ),
];
