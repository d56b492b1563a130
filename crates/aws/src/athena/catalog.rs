//! The Glue database and the CloudTrail table that Athena queries. The table reads the
//! trail's prefix with partition projection over region and day, so queries need no
//! `MSCK REPAIR TABLE` and new days appear by themselves.

use aws_sdk_glue::types::{Column, DatabaseInput, SerDeInfo, StorageDescriptor, TableInput};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{AthenaSpec, Ensure};
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Map, Value, json};

use crate::athena::athena;
use crate::context::AwsContext;
use crate::error::{call, create, sdk_error, unsupported};
use crate::kind::{LegacyKind, name_of, region_of};
use crate::logging::bucket_name;
use crate::s3;

pub(crate) struct Database;
pub(crate) struct Table;

const DATABASE: &str = "glue_database";
const TABLE: &str = "glue_table";

/// CloudTrail's record, as Athena reads it with the CloudTrail SerDe.
const COLUMNS: &[(&str, &str)] = &[
    ("eventversion", "string"),
    (
        "useridentity",
        "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>>>",
    ),
    ("eventtime", "string"),
    ("eventsource", "string"),
    ("eventname", "string"),
    ("awsregion", "string"),
    ("sourceipaddress", "string"),
    ("useragent", "string"),
    ("errorcode", "string"),
    ("errormessage", "string"),
    ("requestparameters", "string"),
    ("responseelements", "string"),
    ("additionaleventdata", "string"),
    ("requestid", "string"),
    ("eventid", "string"),
    (
        "resources",
        "array<struct<arn:string,accountid:string,type:string>>",
    ),
    ("eventtype", "string"),
    ("apiversion", "string"),
    ("readonly", "string"),
    ("recipientaccountid", "string"),
    ("serviceeventdetails", "string"),
    ("sharedeventid", "string"),
    ("vpcendpointid", "string"),
];

const PARTITIONS: &[(&str, &str)] = &[("region", "string"), ("timestamp", "string")];

pub(crate) fn table_address(athena: &AthenaSpec, scope: &Scope) -> ResourceAddr {
    ResourceAddr::named(TABLE, &format!("{}.{}", athena.database, athena.table))
        .in_region(&scope.home_region)
}

fn database_address(athena: &AthenaSpec, scope: &Scope) -> ResourceAddr {
    ResourceAddr::named(DATABASE, athena.database.as_str()).in_region(&scope.home_region)
}

fn typed(columns: &[(&str, &str)]) -> Value {
    Value::Array(
        columns
            .iter()
            .map(|(n, t)| json!(format!("{n}:{t}")))
            .collect(),
    )
}

fn table_state(location: &str, regions: &[String]) -> Value {
    let mut parameters = Map::new();
    for (key, value) in [
        ("EXTERNAL", "TRUE".to_owned()),
        ("classification", "cloudtrail".to_owned()),
        ("projection.enabled", "true".to_owned()),
        ("projection.region.type", "enum".to_owned()),
        ("projection.region.values", regions.join(",")),
        ("projection.timestamp.type", "date".to_owned()),
        ("projection.timestamp.format", "yyyy/MM/dd".to_owned()),
        ("projection.timestamp.range", "2020/01/01,NOW".to_owned()),
        ("projection.timestamp.interval", "1".to_owned()),
        ("projection.timestamp.interval.unit", "DAYS".to_owned()),
        (
            "storage.location.template",
            format!("{location}${{region}}/${{timestamp}}"),
        ),
    ] {
        parameters.insert(key.to_owned(), json!(value));
    }
    json!({
        "location": location,
        "columns": typed(COLUMNS),
        "partition_keys": typed(PARTITIONS),
        "parameters": parameters,
    })
}

impl LegacyKind for Database {
    fn kind(&self) -> &'static str {
        DATABASE
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(athena) = athena(spec) else {
            return Vec::new();
        };
        vec![Desired {
            address: database_address(athena, scope),
            ensure: athena.ensure,
            state: json!({}),
            depends_on: Vec::new(),
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
            match ctx.glue(region).get_database().name(name).send().await {
                Ok(_) => Ok(Some(json!({}))),
                Err(err) if err.code() == Some("EntityNotFoundException") => Ok(None),
                Err(err) => Err(sdk_error(address, "glue:GetDatabase", &err)),
            }
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
            let glue = ctx.glue(region);
            match change.action {
                Action::Create => {
                    let input = DatabaseInput::builder()
                        .name(name)
                        .description("baseline: CloudTrail logs for Athena")
                        .build()
                        .map_err(|err| unsupported(address, &err.to_string()))?;
                    create!(
                        address,
                        "glue:CreateDatabase",
                        &["AlreadyExistsException"],
                        glue.create_database().database_input(input).send()
                    )?;
                    Ok(())
                }
                Action::Delete => {
                    call!(
                        address,
                        "glue:DeleteDatabase",
                        glue.delete_database().name(name).send()
                    )?;
                    Ok(())
                }
                action => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

impl LegacyKind for Table {
    fn kind(&self) -> &'static str {
        TABLE
    }

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(athena) = athena(spec) else {
            return Vec::new();
        };
        let bucket = bucket_name(spec, scope).unwrap_or_default();
        let location = format!("s3://{bucket}/AWSLogs/{}/CloudTrail/", scope.account_id);
        let state = if athena.ensure == Ensure::Present {
            table_state(&location, &scope.enabled)
        } else {
            json!({})
        };
        let mut depends_on = vec![database_address(athena, scope)];
        if !bucket.is_empty() {
            depends_on
                .push(ResourceAddr::named(s3::bucket::KIND, &bucket).in_region(&scope.home_region));
        }
        vec![Desired {
            address: table_address(athena, scope),
            ensure: athena.ensure,
            state,
            depends_on,
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
            let (database, table) = split(address);
            let out = match ctx
                .glue(region)
                .get_table()
                .database_name(database)
                .name(table)
                .send()
                .await
            {
                Ok(out) => out,
                Err(err) if err.code() == Some("EntityNotFoundException") => return Ok(None),
                Err(err) => return Err(sdk_error(address, "glue:GetTable", &err)),
            };
            let Some(table) = out.table() else {
                return Ok(None);
            };
            let columns = |cols: &[Column]| -> Value {
                Value::Array(
                    cols.iter()
                        .map(|c| json!(format!("{}:{}", c.name(), c.r#type().unwrap_or_default())))
                        .collect(),
                )
            };
            let storage = table.storage_descriptor();
            Ok(Some(json!({
                "location": storage.and_then(StorageDescriptor::location),
                "columns": columns(storage.map(StorageDescriptor::columns).unwrap_or_default()),
                "partition_keys": columns(table.partition_keys()),
                "parameters": table.parameters().cloned().unwrap_or_default(),
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
            let (database, table) = split(address);
            let glue = ctx.glue(region);
            match (change.action, &change.after) {
                (Action::Create | Action::Update, Some(after)) => {
                    let input =
                        table_input(table, after).map_err(|err| unsupported(address, &err))?;
                    // A table an earlier try made (its answer lost) is given the planned
                    // definition like any existing one.
                    let created = change.action == Action::Create
                        && create!(
                            address,
                            "glue:CreateTable",
                            &["AlreadyExistsException"],
                            glue.create_table()
                                .database_name(database)
                                .table_input(input.clone())
                                .send()
                        )?;
                    if !created {
                        call!(
                            address,
                            "glue:UpdateTable",
                            glue.update_table()
                                .database_name(database)
                                .table_input(input)
                                .send()
                        )?;
                    }
                    Ok(())
                }
                (Action::Delete, _) => {
                    call!(
                        address,
                        "glue:DeleteTable",
                        glue.delete_table()
                            .database_name(database)
                            .name(table)
                            .send()
                    )?;
                    Ok(())
                }
                (action, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

fn split(address: &ResourceAddr) -> (&str, &str) {
    address
        .name
        .as_deref()
        .and_then(|n| n.split_once('.'))
        .unwrap_or_default()
}

fn table_input(name: &str, state: &Value) -> Result<TableInput, String> {
    let columns = |key: &str| -> Result<Vec<Column>, String> {
        state[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|c| {
                let (n, t) = c.split_once(':').unwrap_or((c, "string"));
                Column::builder()
                    .name(n)
                    .r#type(t)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect()
    };
    let parameters = state["parameters"]
        .as_object()
        .map(|p| {
            p.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let storage = StorageDescriptor::builder()
        .set_columns(Some(columns("columns")?))
        .set_location(state["location"].as_str().map(str::to_owned))
        .input_format("com.amazon.emr.cloudtrail.CloudTrailInputFormat")
        .output_format("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat")
        .serde_info(
            SerDeInfo::builder()
                .serialization_library("com.amazon.emr.hive.serde.CloudTrailSerde")
                .build(),
        )
        .build();
    TableInput::builder()
        .name(name)
        .table_type("EXTERNAL_TABLE")
        .set_parameters(Some(parameters))
        .set_partition_keys(Some(columns("partition_keys")?))
        .storage_descriptor(storage)
        .build()
        .map_err(|e| e.to_string())
}
