# An OPA/conftest policy for baseline plans (`baseline plan --json`, format 3): the plan
# fails when any change, in the pinned account or a member account, broadens permissions;
# deletions and permissions removed because they were added by hand are warnings.
#
#   baseline plan --json > plan.json
#   conftest test --policy examples/policy plan.json
#
# Plans are shaped like Terraform's (docs/plan-format.md): each resource change has
# `address`, `type`, `name`, `region`, `account` and `change.actions`, so rules written for
# Terraform plans carry over. Member accounts' changes are under `accounts[].resource_changes`.
package main

import rego.v1

# Every resource change of the plan, every account's.
changes contains change if some change in input.resource_changes

changes contains change if {
	some account in input.accounts
	some change in account.resource_changes
}

deny contains msg if {
	some change in changes
	some why in change.permissions_broadened
	msg := sprintf("%s in account %s broadens permissions: %s", [change.address, change.account, why])
}

warn contains msg if {
	some change in changes
	"delete" in change.change.actions
	msg := sprintf("%s in account %s will be deleted", [change.address, change.account])
}

warn contains msg if {
	some change in changes
	some what in change.outside_baseline
	msg := sprintf("%s in account %s: %s was added outside baseline and will be removed", [change.address, change.account, what])
}
