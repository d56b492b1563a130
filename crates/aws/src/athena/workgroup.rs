//! `logging.athena.workgroup` → an Athena workgroup whose results go to the results bucket
//! (enforced for every query in it), holding the sample queries as named queries. Only the
//! queries baseline ships are managed; others in the workgroup are left alone.

use std::collections::BTreeMap;

use aws_sdk_athena::types::{
    ResultConfiguration, ResultConfigurationUpdates, WorkGroupConfiguration,
    WorkGroupConfigurationUpdates,
};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::athena::queries::QUERIES;
use crate::athena::{athena, catalog, results_bucket};
use crate::context::AwsContext;
use crate::error::{call, create, found};
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};
use crate::s3;

pub(crate) struct WorkGroup;

const KIND: &str = "athena_workgroup";

/// The workgroup's results location, whether it is enforced, and the named queries
/// baseline ships. A read also gives each query's id, which is AWS's and not compared
/// (the desired state has none).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    output_location: Option<String>,
    enforce_configuration: bool,
    named_queries: BTreeMap<String, NamedQuery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    named_query_ids: Option<BTreeMap<String, Option<String>>>,
}

/// One saved query. AWS may leave out its description (`null`).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct NamedQuery {
    database: String,
    description: Option<String>,
    query: String,
}

/// The named queries, with `TABLE` replaced by the table's name.
fn named_queries(database: &str, table: &str) -> BTreeMap<String, NamedQuery> {
    QUERIES
        .iter()
        .map(|(name, description, sql)| {
            let query = NamedQuery {
                database: database.to_owned(),
                description: Some((*description).to_owned()),
                query: sql.replace("TABLE", &format!("{database}.{table}")),
            };
            ((*name).to_owned(), query)
        })
        .collect()
}

impl Kind for WorkGroup {
    type State = State;
    const KIND: &'static str = KIND;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(athena) = athena(spec) else {
            return Vec::new();
        };
        let bucket = results_bucket(athena, scope);
        let address =
            ResourceAddr::named(KIND, athena.workgroup.as_str()).in_region(&scope.home_region);
        let desired = if athena.ensure == Ensure::Present {
            let state = State {
                output_location: Some(format!("s3://{bucket}/")),
                enforce_configuration: true,
                named_queries: named_queries(athena.database.as_str(), athena.table.as_str()),
                named_query_ids: None,
            };
            declare(address, &state)
        } else {
            Desired::absent(address)
        };
        vec![desired.after([
            ResourceAddr::named(s3::bucket::KIND, &bucket).in_region(&scope.home_region),
            catalog::table_address(athena, scope),
        ])]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, State>) -> Live<State> {
        let address = read.address;
        let name = name_of(address);
        let athena = ctx.athena(region_of(address));
        let answer = athena.get_work_group().work_group(name).send().await;
        let out = found(
            address,
            "athena:GetWorkGroup",
            &["InvalidRequestException"],
            answer,
        )?;
        let Some(group) = out.and_then(|out| out.work_group) else {
            return Ok(None);
        };
        let configuration = group.configuration();
        let output = configuration
            .and_then(|c| c.result_configuration())
            .and_then(|r| r.output_location());
        let enforce = configuration
            .and_then(|c| c.enforce_work_group_configuration())
            .unwrap_or(false);
        let listed = call!(
            address,
            "athena:ListNamedQueries",
            athena.list_named_queries().work_group(name).send()
        )?;
        let mut queries = BTreeMap::new();
        let mut ids = BTreeMap::new();
        for id in listed.named_query_ids() {
            let query = call!(
                address,
                "athena:GetNamedQuery",
                athena.get_named_query().named_query_id(id).send()
            )?;
            if let Some(q) = query.named_query()
                && QUERIES.iter().any(|(n, _, _)| *n == q.name())
            {
                let found = NamedQuery {
                    database: q.database().to_owned(),
                    description: q.description().map(str::to_owned),
                    query: q.query_string().to_owned(),
                };
                queries.insert(q.name().to_owned(), found);
                ids.insert(q.name().to_owned(), q.named_query_id().map(str::to_owned));
            }
        }
        Ok(Some(State {
            output_location: output.map(str::to_owned),
            enforce_configuration: enforce,
            named_queries: queries,
            named_query_ids: Some(ids),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &State) -> Done {
        let address = &change.address;
        let configuration = WorkGroupConfiguration::builder()
            .result_configuration(
                ResultConfiguration::builder()
                    .set_output_location(after.output_location.clone())
                    .build(),
            )
            .enforce_work_group_configuration(true)
            .build();
        // Made by an earlier try whose answer was lost (the SDK sent it again): Athena says
        // so only in the message.
        create!(
            address,
            "athena:CreateWorkGroup",
            &["InvalidRequestException: already exists"],
            ctx.athena(region_of(address))
                .create_work_group()
                .name(name_of(address))
                .configuration(configuration)
                .send()
        )?;
        put_queries(ctx, address, None, after).await
    }

    async fn update(&self, ctx: &AwsContext, change: &Change, old: &State, new: &State) -> Done {
        let address = &change.address;
        if new.output_location != old.output_location
            || new.enforce_configuration != old.enforce_configuration
        {
            let updates = WorkGroupConfigurationUpdates::builder()
                .result_configuration_updates(
                    ResultConfigurationUpdates::builder()
                        .set_output_location(new.output_location.clone())
                        .build(),
                )
                .enforce_work_group_configuration(true)
                .build();
            call!(
                address,
                "athena:UpdateWorkGroup",
                ctx.athena(region_of(address))
                    .update_work_group()
                    .work_group(name_of(address))
                    .configuration_updates(updates)
                    .send()
            )?;
        }
        put_queries(ctx, address, Some(old), new).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &State) -> Done {
        let address = &change.address;
        call!(
            address,
            "athena:DeleteWorkGroup",
            ctx.athena(region_of(address))
                .delete_work_group()
                .work_group(name_of(address))
                .recursive_delete_option(true)
                .send()
        )?;
        Ok(())
    }
}

/// Saves each named query of `after` that differs from the live one in `before`: updated
/// in place when it has an id, created otherwise.
async fn put_queries(
    ctx: &AwsContext,
    address: &ResourceAddr,
    before: Option<&State>,
    after: &State,
) -> Done {
    let athena = ctx.athena(region_of(address));
    let workgroup = name_of(address);
    for (name, query) in &after.named_queries {
        if before.and_then(|b| b.named_queries.get(name)) == Some(query) {
            continue;
        }
        let id = before
            .and_then(|b| b.named_query_ids.as_ref())
            .and_then(|ids| ids.get(name))
            .and_then(Option::as_deref);
        match id {
            Some(id) => {
                call!(
                    address,
                    "athena:UpdateNamedQuery",
                    athena
                        .update_named_query()
                        .named_query_id(id)
                        .name(name)
                        .set_description(query.description.clone())
                        .query_string(&query.query)
                        .send()
                )?;
            }
            None => {
                call!(
                    address,
                    "athena:CreateNamedQuery",
                    athena
                        .create_named_query()
                        .name(name)
                        .set_description(query.description.clone())
                        .database(&query.database)
                        .query_string(&query.query)
                        .work_group(workgroup)
                        .send()
                )?;
            }
        }
    }
    Ok(())
}
