//! Reading live state and applying a plan, concurrently and bounded. A failed change marks
//! everything that waits for it as skipped; independent changes carry on.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::task::JoinSet;

use crate::addr::ResourceAddr;
use crate::graph::{CycleError, order};
use crate::plan::{Action, Plan, ResourceChange};
use crate::provider::{Provider, ProviderError, ReadRequest};

/// How many reads run at once. AWS limits the rate of each API per account and region, so
/// reads are spread over lanes, one per service and region (`us-east-1/events`; global
/// services have their own), each with at most `per_lane` at a time, and at most `total` in
/// all. A region's reads never wait for another region's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    pub per_lane: usize,
    pub total: usize,
}

impl ReadLimits {
    /// The same limit for every lane and in all: one lane, as if reads were not spread.
    pub fn flat(concurrency: usize) -> Self {
        Self {
            per_lane: concurrency,
            total: concurrency,
        }
    }
}

/// The lane of a read: its region (or `global`) and the service its kind belongs to, named
/// by the kind's first word (`events_rule` → `events`, `iam_user` → `iam`).
fn lane(address: &ResourceAddr) -> String {
    let service = address.kind.split('_').next().unwrap_or(&address.kind);
    format!(
        "{}/{service}",
        address.region.as_deref().unwrap_or("global")
    )
}

/// Reads the live state for every request within `limits`, keeping order. All read errors
/// are returned, not only the first.
pub async fn read_all(
    provider: Arc<dyn Provider>,
    requests: Vec<ReadRequest>,
    limits: ReadLimits,
) -> Result<Vec<Option<Value>>, Vec<ProviderError>> {
    read_all_with(provider, requests, limits, &|_| {}).await
}

/// [`read_all`], telling `progress` how many resources there are to read
/// ([`Event::Reading`]) and each time one was read ([`Event::Read`]).
pub async fn read_all_with(
    provider: Arc<dyn Provider>,
    requests: Vec<ReadRequest>,
    limits: ReadLimits,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Result<Vec<Option<Value>>, Vec<ProviderError>> {
    use tokio::sync::Semaphore;
    progress(Event::Reading {
        total: requests.len(),
    });
    let total = Arc::new(Semaphore::new(limits.total.max(1)));
    let mut lanes: BTreeMap<String, Arc<Semaphore>> = BTreeMap::new();
    let mut tasks = JoinSet::new();
    let count = requests.len();
    for (index, request) in requests.into_iter().enumerate() {
        let provider = Arc::clone(&provider);
        let total = Arc::clone(&total);
        let lane = Arc::clone(
            lanes
                .entry(lane(&request.address))
                .or_insert_with(|| Arc::new(Semaphore::new(limits.per_lane.max(1)))),
        );
        tasks.spawn(async move {
            // The lane first: a read waiting for its lane holds no place in the total.
            let _lane = lane.acquire_owned().await;
            let _total = total.acquire_owned().await;
            (index, provider.read(&request).await)
        });
    }
    let mut live = vec![None; count];
    let mut errors = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, Ok(state))) => live[index] = state,
            Ok((_, Err(err))) => errors.push(err),
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
        progress(Event::Read);
    }
    if errors.is_empty() {
        Ok(live)
    } else {
        errors.sort_by(|a, b| a.address.cmp(&b.address));
        Err(errors)
    }
}

/// What happened to one change during apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    Failed {
        error: ProviderError,
    },
    /// Not attempted because a change it waits for failed.
    Skipped {
        because: ResourceAddr,
    },
}

/// The result of apply, per address.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplyReport {
    pub outcomes: BTreeMap<ResourceAddr, Outcome>,
}

impl ApplyReport {
    pub fn succeeded(&self) -> bool {
        self.outcomes
            .values()
            .all(|o| matches!(o, Outcome::Applied))
    }

    pub fn count(&self, pick: fn(&Outcome) -> bool) -> usize {
        self.outcomes.values().filter(|o| pick(o)).count()
    }
}

/// Progress of reading and applying, for a caller that shows it.
#[derive(Debug)]
pub enum Event<'a> {
    /// Reading the live state begins: `total` resources are to be read.
    Reading { total: usize },
    /// One more resource was read (or failed to be).
    Read,
    /// Apply begins: `total` changes are to be made.
    Applying { total: usize },
    /// A change is not attempted: `because` failed, and it waits for it.
    Skipped {
        address: &'a ResourceAddr,
        because: &'a ResourceAddr,
    },
    Started {
        address: &'a ResourceAddr,
        action: Action,
    },
    Finished {
        address: &'a ResourceAddr,
        action: Action,
        outcome: &'a Outcome,
        elapsed: Duration,
    },
}

/// Applies every change of the plan in dependency order, at most `concurrency` at a time.
pub async fn apply(
    plan: &Plan,
    provider: Arc<dyn Provider>,
    concurrency: usize,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Result<ApplyReport, CycleError> {
    let order = order(&plan.changes)?;
    let changes: Vec<Arc<ResourceChange>> = plan.changes.iter().cloned().map(Arc::new).collect();
    let mut remaining: BTreeMap<usize, usize> = order
        .waits_for
        .iter()
        .map(|(node, deps)| (*node, deps.len()))
        .collect();
    let mut ready: VecDeque<usize> = remaining
        .iter()
        .filter(|(_, count)| **count == 0)
        .map(|(node, _)| *node)
        .collect();
    let mut report = ApplyReport::default();
    let mut running = JoinSet::new();
    progress(Event::Applying {
        total: order.waits_for.len(),
    });

    loop {
        while running.len() < concurrency.max(1) {
            let Some(node) = ready.pop_front() else { break };
            let change = Arc::clone(&changes[node]);
            let provider = Arc::clone(&provider);
            progress(Event::Started {
                address: &change.address,
                action: change.action,
            });
            running.spawn(async move {
                let started = Instant::now();
                let result = provider.apply(&change).await;
                (node, result, started.elapsed())
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (node, result, elapsed) = match joined {
            Ok(done) => done,
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        };
        let change = &changes[node];
        let outcome = match result {
            Ok(()) => {
                for dependent in order.dependents(node) {
                    if let Some(count) = remaining.get_mut(&dependent) {
                        *count -= 1;
                        if *count == 0 {
                            ready.push_back(dependent);
                        }
                    }
                }
                Outcome::Applied
            }
            Err(error) => {
                let skipped = skip_dependents(&order, node, &mut remaining);
                for dependent in skipped {
                    let address = &changes[dependent].address;
                    progress(Event::Skipped {
                        address,
                        because: &change.address,
                    });
                    let because = change.address.clone();
                    report
                        .outcomes
                        .insert(address.clone(), Outcome::Skipped { because });
                }
                Outcome::Failed { error }
            }
        };
        progress(Event::Finished {
            address: &change.address,
            action: change.action,
            outcome: &outcome,
            elapsed,
        });
        report.outcomes.insert(change.address.clone(), outcome);
    }
    Ok(report)
}

/// Every change that waits, directly or not, for `failed` and was not skipped already:
/// taken off the changes still to run, and returned in the order they were found.
fn skip_dependents(
    order: &crate::graph::Order,
    failed: usize,
    remaining: &mut BTreeMap<usize, usize>,
) -> Vec<usize> {
    let mut stack = vec![failed];
    let mut skipped = Vec::new();
    while let Some(node) = stack.pop() {
        for dependent in order.dependents(node) {
            // A change no longer remaining was skipped with everything that waits for it.
            if remaining.remove(&dependent).is_some() {
                skipped.push(dependent);
                stack.push(dependent);
            }
        }
    }
    skipped
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::graph::tests::change;
    use crate::provider::BoxFuture;

    /// An in-memory provider that records the order of applies, fails chosen names, and
    /// counts how many applies run at once (each takes `pause`). It exercises the executor
    /// alone; the AWS side is tested against the emulator.
    struct Recorder {
        fail: Vec<&'static str>,
        pause: Duration,
        applied: Mutex<Vec<String>>,
        /// Applies running now, and the most that ever ran at once.
        running: Mutex<(usize, usize)>,
    }

    impl Recorder {
        fn new(fail: Vec<&'static str>, pause_ms: u64) -> Arc<Self> {
            Arc::new(Self {
                fail,
                pause: Duration::from_millis(pause_ms),
                applied: Mutex::new(vec![]),
                running: Mutex::new((0, 0)),
            })
        }

        fn applied(&self) -> Vec<String> {
            self.applied.lock().expect("lock").clone()
        }
    }

    impl Provider for Recorder {
        fn read<'a>(
            &'a self,
            _request: &'a ReadRequest,
        ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
            Box::pin(async { Ok(None) })
        }

        fn apply<'a>(
            &'a self,
            change: &'a ResourceChange,
        ) -> BoxFuture<'a, Result<(), ProviderError>> {
            Box::pin(async move {
                let name = change.address.name.clone().unwrap_or_default();
                {
                    let mut running = self.running.lock().expect("lock");
                    running.0 += 1;
                    running.1 = running.1.max(running.0);
                }
                tokio::time::sleep(self.pause).await;
                self.running.lock().expect("lock").0 -= 1;
                if self.fail.contains(&name.as_str()) {
                    return Err(ProviderError {
                        address: change.address.clone(),
                        operation: "test:Apply".into(),
                        code: Some("Boom".into()),
                        message: "injected".into(),
                        hint: None,
                    });
                }
                self.applied.lock().expect("lock").push(name);
                Ok(())
            })
        }
    }

    fn plan(changes: Vec<ResourceChange>) -> Plan {
        Plan::new("123456789012", vec![], changes)
    }

    #[tokio::test]
    async fn failure_skips_descendants_and_spares_independent_branches() {
        let recorder = Recorder::new(vec!["b"], 5);
        let plan = plan(vec![
            change("a", Action::Create, &[]),
            change("b", Action::Create, &["a"]),
            change("c", Action::Create, &["b"]),
            change("d", Action::Update, &["c"]),
            change("e", Action::Create, &[]),
            change("f", Action::NoOp, &[]),
        ]);
        let report = apply(&plan, recorder.clone(), 4, &|_| {})
            .await
            .expect("acyclic");
        let applied = recorder.applied();
        assert!(applied.contains(&"a".to_owned()) && applied.contains(&"e".to_owned()));
        assert_eq!(applied.len(), 2);
        let outcome = |n: &str| report.outcomes[&ResourceAddr::named("thing", n)].clone();
        assert!(matches!(outcome("b"), Outcome::Failed { .. }));
        let because = ResourceAddr::named("thing", "b");
        assert_eq!(
            outcome("c"),
            Outcome::Skipped {
                because: because.clone()
            }
        );
        assert_eq!(outcome("d"), Outcome::Skipped { because });
        assert!(
            !report
                .outcomes
                .contains_key(&ResourceAddr::named("thing", "f"))
        );
        assert!(!report.succeeded());
    }

    /// Every change is announced once: the total first, then each change started and
    /// finished, or skipped when one it waits for failed; reads announce their total and
    /// each read.
    #[tokio::test]
    async fn events_announce_the_total_and_every_change_once() {
        let recorder = Recorder::new(vec!["b"], 1);
        let plan = plan(vec![
            change("a", Action::Create, &[]),
            change("b", Action::Create, &["a"]),
            change("c", Action::Create, &["b"]),
            change("d", Action::Update, &["c", "b"]),
            change("e", Action::Create, &[]),
            change("f", Action::NoOp, &[]),
        ]);
        let events = Mutex::new(Vec::new());
        let record = |event: Event<'_>| {
            let said = match event {
                Event::Applying { total } => format!("applying {total}"),
                Event::Started { address, .. } => format!("started {address}"),
                Event::Finished { address, .. } => format!("finished {address}"),
                Event::Skipped { address, because } => format!("skipped {address} ({because})"),
                Event::Reading { total } => format!("reading {total}"),
                Event::Read => "read".to_owned(),
            };
            events.lock().expect("lock").push(said);
        };
        apply(&plan, recorder.clone(), 2, &record)
            .await
            .expect("acyclic");
        let mut said = events.lock().expect("lock").clone();
        assert_eq!(said.first().map(String::as_str), Some("applying 5"));
        said.sort();
        assert_eq!(
            said,
            [
                "applying 5",
                "finished thing.a",
                "finished thing.b",
                "finished thing.e",
                "skipped thing.c (thing.b)",
                "skipped thing.d (thing.b)",
                "started thing.a",
                "started thing.b",
                "started thing.e",
            ]
        );

        events.lock().expect("lock").clear();
        let requests = plan.changes.iter().map(ReadRequest::recheck).collect();
        read_all_with(recorder, requests, ReadLimits::flat(2), &record)
            .await
            .expect("reads");
        let said = events.lock().expect("lock").clone();
        assert_eq!(
            said,
            ["reading 6", "read", "read", "read", "read", "read", "read"]
        );
    }

    #[tokio::test]
    async fn dependencies_apply_first_and_deletes_in_reverse() {
        let recorder = Recorder::new(vec![], 5);
        let plan = plan(vec![
            change("x1", Action::Create, &[]),
            change("x2", Action::Create, &["x1"]),
            change("y1", Action::Delete, &[]),
            change("y2", Action::Delete, &["y1"]),
        ]);
        let report = apply(&plan, recorder.clone(), 1, &|_| {})
            .await
            .expect("acyclic");
        assert!(report.succeeded());
        let applied = recorder.applied();
        let at = |n: &str| applied.iter().position(|a| a == n).expect("applied");
        assert!(at("x1") < at("x2"));
        assert!(at("y2") < at("y1"));
    }

    #[tokio::test]
    async fn concurrency_is_bounded() {
        let recorder = Recorder::new(vec![], 10);
        let names: Vec<String> = (0..12).map(|i| format!("n{i}")).collect();
        let plan = plan(
            names
                .iter()
                .map(|n| change(n, Action::Create, &[]))
                .collect(),
        );
        let report = apply(&plan, recorder.clone(), 3, &|_| {})
            .await
            .expect("ok");
        assert_eq!(report.outcomes.len(), 12);
        let peak = recorder.running.lock().expect("lock").1;
        assert_eq!(peak, 3);
    }

    /// A provider whose reads take `pause` and that counts, per lane, how many run at once.
    struct Lanes {
        running: Mutex<BTreeMap<String, (usize, usize)>>,
        all: Mutex<(usize, usize)>,
    }

    impl Provider for Lanes {
        fn read<'a>(
            &'a self,
            request: &'a ReadRequest,
        ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
            let key = lane(&request.address);
            Box::pin(async move {
                let enter = |m: &mut (usize, usize)| {
                    m.0 += 1;
                    m.1 = m.1.max(m.0);
                };
                enter(
                    self.running
                        .lock()
                        .expect("lock")
                        .entry(key.clone())
                        .or_default(),
                );
                enter(&mut self.all.lock().expect("lock"));
                tokio::time::sleep(Duration::from_millis(20)).await;
                self.running.lock().expect("lock").entry(key).or_default().0 -= 1;
                self.all.lock().expect("lock").0 -= 1;
                Ok(None)
            })
        }

        fn apply<'a>(&'a self, _: &'a ResourceChange) -> BoxFuture<'a, Result<(), ProviderError>> {
            Box::pin(async { Ok(()) })
        }
    }

    /// Reads of one service in one region wait for each other beyond `per_lane`; other
    /// regions and services do not wait for them, up to `total`.
    #[tokio::test]
    async fn reads_are_limited_per_service_and_region_and_in_all() {
        let provider = Arc::new(Lanes {
            running: Mutex::new(BTreeMap::new()),
            all: Mutex::new((0, 0)),
        });
        let mut requests = Vec::new();
        for region in ["r-1", "r-2", "r-3", "r-4"] {
            for (kind, n) in [("events_rule", 10), ("config_rule", 10)] {
                for i in 0..n {
                    let address = ResourceAddr::named(kind, &format!("x{i}")).in_region(region);
                    requests.push(ReadRequest::at(address));
                }
            }
        }
        let limits = ReadLimits {
            per_lane: 3,
            total: 16,
        };
        let live = read_all(provider.clone(), requests, limits)
            .await
            .expect("read");
        assert_eq!(live.len(), 80);
        let lanes = provider.running.lock().expect("lock").clone();
        assert_eq!(lanes.len(), 8);
        assert!(lanes.values().all(|(_, peak)| *peak == 3), "{lanes:?}");
        assert_eq!(provider.all.lock().expect("lock").1, 16);
    }
}
