//! `logging.athena.workgroup` → an Athena workgroup whose results go to the results bucket
//! (enforced for every query in it), holding the sample queries as named queries. Only the
//! queries baseline ships are managed; others in the workgroup are left alone.

use std::collections::BTreeMap;

use aws_sdk_athena::types::{ResultConfiguration, WorkGroupConfiguration};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::Ensure;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::athena::queries::QUERIES;
use crate::athena::{athena, catalog, results_bucket};
use crate::context::AwsContext;
use crate::error::{call, create, sdk_error, unsupported};
use crate::kind::{LegacyKind, name_of, region_of};
use crate::s3;

pub(crate) struct WorkGroup;

const KIND: &str = "athena_workgroup";

/// The named queries, with `TABLE` replaced by the table's name.
fn named_queries(database: &str, table: &str) -> Value {
    let queries: BTreeMap<&str, Value> = QUERIES
        .iter()
        .map(|(name, description, sql)| {
            (
                *name,
                json!({
                    "database": database,
                    "description": description,
                    "query": sql.replace("TABLE", &format!("{database}.{table}")),
                }),
            )
        })
        .collect();
    json!(queries)
}

impl LegacyKind for WorkGroup {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(athena) = athena(spec) else {
            return Vec::new();
        };
        let bucket = results_bucket(athena, scope);
        let state = if athena.ensure == Ensure::Present {
            json!({
                "output_location": format!("s3://{bucket}/"),
                "enforce_configuration": true,
                "named_queries": named_queries(athena.database.as_str(), athena.table.as_str()),
            })
        } else {
            json!({})
        };
        vec![Desired {
            address: ResourceAddr::named(KIND, athena.workgroup.as_str())
                .in_region(&scope.home_region),
            ensure: athena.ensure,
            state,
            depends_on: vec![
                ResourceAddr::named(s3::bucket::KIND, &bucket).in_region(&scope.home_region),
                catalog::table_address(athena, scope),
            ],
            manual: None,
            cis: Vec::new(),
            write_only: Value::Null,
        }]
    }

    fn read<'a>(
        &'a self,
        ctx: &'a AwsContext,
        address: &'a ResourceAddr,
    ) -> BoxFuture<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let region = region_of(address);
            let name = name_of(address);
            let athena = ctx.athena(region);
            let group = match athena.get_work_group().work_group(name).send().await {
                Ok(out) => out.work_group,
                Err(err) if err.code() == Some("InvalidRequestException") => None,
                Err(err) => return Err(sdk_error(address, "athena:GetWorkGroup", &err)),
            };
            let Some(group) = group else {
                return Ok(None);
            };
            let configuration = group.configuration();
            let output = configuration
                .and_then(|c| c.result_configuration())
                .and_then(|r| r.output_location());
            let enforce = configuration
                .and_then(|c| c.enforce_work_group_configuration())
                .unwrap_or(false);
            let ids = call!(
                address,
                "athena:ListNamedQueries",
                athena.list_named_queries().work_group(name).send()
            )?;
            let mut queries = serde_json::Map::new();
            for id in ids.named_query_ids() {
                let query = call!(
                    address,
                    "athena:GetNamedQuery",
                    athena.get_named_query().named_query_id(id).send()
                )?;
                if let Some(q) = query.named_query()
                    && QUERIES.iter().any(|(n, _, _)| *n == q.name())
                {
                    queries.insert(
                        q.name().to_owned(),
                        json!({"database": q.database(), "description": q.description(),
                               "query": q.query_string(), "id": q.named_query_id()}),
                    );
                }
            }
            let ids: serde_json::Map<String, Value> = queries
                .iter()
                .map(|(n, q)| (n.clone(), q["id"].clone()))
                .collect();
            Ok(Some(json!({
                "output_location": output,
                "enforce_configuration": enforce,
                "named_queries": strip_ids(&Value::Object(queries)),
                "named_query_ids": ids,
            })))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let region = region_of(address);
            let name = name_of(address);
            let athena = ctx.athena(region);
            let before = change.before.as_ref();
            match (change.action, &change.after) {
                (Action::Create | Action::Update, Some(after)) => {
                    let configuration = |output: Option<String>| {
                        WorkGroupConfiguration::builder()
                            .result_configuration(
                                ResultConfiguration::builder()
                                    .set_output_location(output)
                                    .build(),
                            )
                            .enforce_work_group_configuration(true)
                            .build()
                    };
                    let output = after["output_location"].as_str().map(str::to_owned);
                    if change.action == Action::Create {
                        // Made by an earlier try whose answer was lost (the SDK sent it
                        // again): Athena says so only in the message.
                        create!(
                            address,
                            "athena:CreateWorkGroup",
                            &["InvalidRequestException: already exists"],
                            athena
                                .create_work_group()
                                .name(name)
                                .configuration(configuration(output))
                                .send()
                        )?;
                    } else if ["output_location", "enforce_configuration"]
                        .iter()
                        .any(|k| after.get(*k) != before.and_then(|b| b.get(*k)))
                    {
                        let updates =
                            aws_sdk_athena::types::WorkGroupConfigurationUpdates::builder()
                                .result_configuration_updates(
                                    aws_sdk_athena::types::ResultConfigurationUpdates::builder()
                                        .set_output_location(output)
                                        .build(),
                                )
                                .enforce_work_group_configuration(true)
                                .build();
                        call!(
                            address,
                            "athena:UpdateWorkGroup",
                            athena
                                .update_work_group()
                                .work_group(name)
                                .configuration_updates(updates)
                                .send()
                        )?;
                    }
                    let have = before.and_then(|b| b.get("named_queries"));
                    let ids = before.and_then(|b| b.get("named_query_ids"));
                    for (query_name, query) in
                        after["named_queries"].as_object().into_iter().flatten()
                    {
                        let current = have.and_then(|h| h.get(query_name));
                        if current == Some(query) {
                            continue;
                        }
                        let database = query["database"].as_str().unwrap_or_default();
                        let sql = query["query"].as_str().unwrap_or_default();
                        let description = query["description"].as_str().unwrap_or_default();
                        match ids.and_then(|i| i.get(query_name)).and_then(Value::as_str) {
                            Some(id) => {
                                call!(
                                    address,
                                    "athena:UpdateNamedQuery",
                                    athena
                                        .update_named_query()
                                        .named_query_id(id)
                                        .name(query_name)
                                        .description(description)
                                        .query_string(sql)
                                        .send()
                                )?;
                            }
                            None => {
                                call!(
                                    address,
                                    "athena:CreateNamedQuery",
                                    athena
                                        .create_named_query()
                                        .name(query_name)
                                        .description(description)
                                        .database(database)
                                        .query_string(sql)
                                        .work_group(name)
                                        .send()
                                )?;
                            }
                        }
                    }
                    Ok(())
                }
                (Action::Delete, _) => {
                    call!(
                        address,
                        "athena:DeleteWorkGroup",
                        athena
                            .delete_work_group()
                            .work_group(name)
                            .recursive_delete_option(true)
                            .send()
                    )?;
                    Ok(())
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

/// Named queries without their ids, which are AWS's and not part of what is compared.
fn strip_ids(queries: &Value) -> Value {
    let mut out = queries.clone();
    if let Some(map) = out.as_object_mut() {
        for query in map.values_mut() {
            if let Some(fields) = query.as_object_mut() {
                fields.remove("id");
            }
        }
    }
    out
}
