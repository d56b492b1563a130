//! The pipeline against an in-memory organization: accounts whose resources live in a map,
//! members that can or cannot be reached. The AWS side of the same steps is tested against
//! the emulator (tests/e2e); these show the engine's own logic with nothing else running.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use baseline_core::exec::{Event, Outcome};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{
    AccountPlan, Action, BoxFuture, Provider, ProviderError, ReadRequest, ResourceAddr,
    ResourceChange, Spec,
};
use serde_json::{Value, json};

use crate::{
    Account, Failure, Goal, Member, Observer, Organization, Planned, Selection, apply_members,
    apply_own, plan, recheck,
};

type Resources = BTreeMap<ResourceAddr, Value>;

/// Every account's live resources, by account id.
#[derive(Debug, Default)]
struct World {
    accounts: Mutex<BTreeMap<String, Resources>>,
    /// Accounts whose role cannot be assumed.
    unreachable: Vec<String>,
}

#[derive(Debug)]
struct Memory {
    id: String,
    world: Arc<World>,
}

impl Memory {
    fn live(&self, address: &ResourceAddr) -> Option<Value> {
        let accounts = self.world.accounts.lock().expect("lock");
        accounts.get(&self.id)?.get(address).cloned()
    }

    fn set(&self, address: &ResourceAddr, state: Option<Value>) {
        let mut accounts = self.world.accounts.lock().expect("lock");
        let resources = accounts.entry(self.id.clone()).or_default();
        match state {
            Some(state) => resources.insert(address.clone(), state),
            None => resources.remove(address),
        };
    }
}

impl Provider for Memory {
    fn read<'a>(
        &'a self,
        request: &'a ReadRequest,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move { Ok(self.live(&request.address)) })
    }

    fn apply<'a>(&'a self, change: &'a ResourceChange) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            self.set(&change.address, change.after.clone());
            Ok(())
        })
    }
}

impl Account for Memory {
    fn provider(self: Arc<Self>) -> Arc<dyn Provider> {
        self
    }

    async fn scope(&self, spec: &Spec) -> Result<Scope, String> {
        Ok(Scope::resolve(
            spec,
            "ap-northeast-1",
            vec!["ap-northeast-1".to_owned()],
        ))
    }

    /// Two resources per account: a setting and a group whose one member is the account.
    fn expand(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let id = spec.account.id.as_str();
        vec![
            Desired::new(ResourceAddr::singleton("setting"), json!({"level": 3})),
            Desired::new(
                ResourceAddr::named("group", "admins"),
                json!({"members": [id]}),
            ),
        ]
    }

    fn destroys(&self, address: &ResourceAddr) -> bool {
        address.kind == "group"
    }

    async fn reach(&self, account_id: &str, role: &str) -> (String, Result<Arc<Self>, String>) {
        let arn = format!("arn:aws:iam::{account_id}:role/{role}");
        if self.world.unreachable.iter().any(|u| u == account_id) {
            return (arn, Err("AccessDenied".to_owned()));
        }
        let member = Memory {
            id: account_id.to_owned(),
            world: Arc::clone(&self.world),
        };
        (arn, Ok(Arc::new(member)))
    }
}

/// Records what a run says.
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
}

impl Observer for Recorder {
    fn note(&self, message: &str) {
        self.lines.lock().expect("lock").push(message.to_owned());
    }

    fn planned(&self, part: &AccountPlan) {
        self.note(&format!("planned {}", part.account_id));
    }

    fn event(&self, account: &str, event: Event<'_>) {
        if let Event::Finished {
            address, outcome, ..
        } = event
        {
            let ok = matches!(outcome, Outcome::Applied);
            self.note(&format!("{account}/{address} applied={ok}"));
        }
    }
}

const ROOT: &str = "111111111111";

fn spec() -> Arc<Spec> {
    let yaml = format!("version: 1\naccount:\n  id: \"{ROOT}\"\n  home_region: ap-northeast-1\n");
    Arc::new(baseline_core::load_str(&yaml, "baseline.yaml").expect("valid spec"))
}

fn organization(members: &[&str]) -> Organization {
    Organization {
        known: BTreeMap::new(),
        members: members
            .iter()
            .map(|id| Member {
                account_id: (*id).to_owned(),
                name: Some(format!("member-{id}")),
            })
            .collect(),
        pending: vec!["not-yet".to_owned()],
    }
}

fn world(unreachable: &[&str]) -> (Arc<World>, Arc<Memory>) {
    let world = Arc::new(World {
        accounts: Mutex::default(),
        unreachable: unreachable.iter().map(|u| (*u).to_owned()).collect(),
    });
    let root = Arc::new(Memory {
        id: ROOT.to_owned(),
        world: Arc::clone(&world),
    });
    (world, root)
}

/// Plans `spec()` for `org` towards `goal`, limited to `selection`, with nobody listening.
async fn plan_quietly(
    root: &Arc<Memory>,
    org: &Organization,
    goal: Goal,
    selection: &Selection,
) -> Result<Planned<Memory>, Vec<Failure>> {
    plan(root, &spec(), org, goal, selection, &Recorder::default()).await
}

/// A run limited to one account.
fn only(account: &str) -> Selection {
    Selection {
        only: vec![account.to_owned()],
        ..Selection::default()
    }
}

fn actions(changes: &[ResourceChange]) -> Vec<Action> {
    changes.iter().map(|c| c.action).collect()
}

#[tokio::test]
async fn an_organization_is_planned_applied_and_then_converged() {
    let (world, root) = world(&[]);
    let org = organization(&["222222222222", "333333333333"]);
    let observer = Recorder::default();
    let selection = Selection::default();
    let planned = plan(&root, &spec(), &org, Goal::Baseline, &selection, &observer)
        .await
        .expect("planned");
    assert_eq!(
        actions(&planned.plan.changes),
        [Action::Create, Action::Create]
    );
    let ids: Vec<&str> = planned
        .plan
        .accounts
        .iter()
        .map(|a| a.account_id.as_str())
        .collect();
    assert_eq!(ids, ["222222222222", "333333333333"]);
    assert_eq!(planned.plan.pending_accounts, ["not-yet"]);
    assert_eq!(planned.members.len(), 2);
    // Each member is planned with its own id in the file.
    let member = &planned.plan.accounts[0].changes;
    let group = member
        .iter()
        .find(|c| c.address.kind == "group")
        .expect("group");
    assert_eq!(group.after, Some(json!({"members": ["222222222222"]})));

    let own = apply_own(&root, &planned.plan, 4, &observer)
        .await
        .expect("acyclic");
    assert!(own.succeeded());
    let results = apply_members(&planned.plan, &planned.members, 2, 4, &observer).await;
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .all(|(_, r)| r.as_ref().is_ok_and(|r| r.succeeded()))
    );
    assert_eq!(world.accounts.lock().expect("lock").len(), 3);

    let again = plan(&root, &spec(), &org, Goal::Baseline, &selection, &observer)
        .await
        .expect("planned");
    assert!(!again.plan.has_changes(), "{:?}", again.plan);
    let lines = observer.lines.lock().expect("lock");
    assert!(lines.iter().any(|l| l == "planned 333333333333"));
    assert!(
        lines
            .iter()
            .any(|l| l == "222222222222/group.admins applied=true")
    );
}

#[tokio::test]
async fn an_unreachable_member_is_recorded_and_the_others_are_planned() {
    let (_, root) = world(&["333333333333"]);
    let org = organization(&["222222222222", "333333333333", "444444444444"]);
    let planned = plan_quietly(&root, &org, Goal::Baseline, &Selection::default())
        .await
        .expect("planned");
    assert!(planned.plan.has_failures());
    let accounts = &planned.plan.accounts;
    let failed: Vec<&AccountPlan> = accounts.iter().filter(|a| a.error.is_some()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].account_id, "333333333333");
    assert_eq!(
        failed[0].role_arn,
        "arn:aws:iam::333333333333:role/OrganizationAccountAccessRole"
    );
    assert_eq!(planned.members.len(), 2);
    assert!(!planned.members.contains_key("333333333333"));
}

#[tokio::test]
async fn a_selection_limits_the_run_and_an_unknown_one_is_refused() {
    let (_, root) = world(&[]);
    let org = organization(&["222222222222", "333333333333"]);
    let planned = plan_quietly(&root, &org, Goal::Baseline, &only("member-333333333333"))
        .await
        .expect("planned");
    assert!(
        planned.plan.changes.is_empty(),
        "the pinned account is not selected"
    );
    assert_eq!(planned.plan.accounts.len(), 1);
    assert_eq!(planned.plan.limited_to, ["member-333333333333"]);

    let failures = plan_quietly(&root, &org, Goal::Baseline, &only("999999999999"))
        .await
        .expect_err("refused");
    assert!(
        failures[0].message.contains("`999999999999`"),
        "{failures:?}"
    );
    let hint = failures[0].hint.as_deref().expect("hint");
    assert!(hint.contains("member-222222222222"), "{hint}");
}

#[tokio::test]
async fn a_saved_plan_is_refused_when_an_account_changed_since() {
    let (world, root) = world(&[]);
    let org = organization(&["222222222222"]);
    let planned = plan_quietly(&root, &org, Goal::Baseline, &Selection::default())
        .await
        .expect("planned");
    let members = recheck(&root, &planned.plan)
        .await
        .expect("nothing changed");
    assert_eq!(members.keys().collect::<Vec<_>>(), ["222222222222"]);

    // Someone makes the member's group by hand after the plan was made.
    world
        .accounts
        .lock()
        .expect("lock")
        .entry("222222222222".to_owned())
        .or_default()
        .insert(
            ResourceAddr::named("group", "admins"),
            json!({"members": []}),
        );
    let problems = recheck(&root, &planned.plan).await.expect_err("drifted");
    assert_eq!(
        problems,
        ["account 222222222222 (member-222222222222): group.admins"]
    );
}

#[tokio::test]
async fn destroy_plans_only_what_a_destroy_removes() {
    let (_, root) = world(&[]);
    let (none, all) = (Organization::default(), Selection::default());
    let planned = plan_quietly(&root, &none, Goal::Baseline, &all)
        .await
        .expect("planned");
    apply_own(&root, &planned.plan, 2, &Recorder::default())
        .await
        .expect("acyclic");
    let destroy = plan_quietly(&root, &none, Goal::Destroy, &all)
        .await
        .expect("planned");
    let addresses: Vec<String> = destroy
        .plan
        .changes
        .iter()
        .map(|c| format!("{} {:?}", c.address, c.action))
        .collect();
    assert_eq!(addresses, ["group.admins Delete"]);
}
