//! The Glue database and the CloudTrail table that Athena queries. The table reads the
//! trail's prefix with partition projection over region and day, so queries need no
//! `MSCK REPAIR TABLE` and new days appear by themselves.

use std::collections::BTreeMap;

use aws_sdk_glue::types::{Column, DatabaseInput, SerDeInfo, StorageDescriptor, TableInput};
use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::{AthenaSpec, Ensure};
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::athena::athena;
use crate::context::AwsContext;
use crate::error::{build_error, call, create, found};
use crate::kind::{Change, Done, Exists, Live};
use crate::kind::{Kind, Read, declare, name_of, region_of};
use crate::logging::bucket_name;
use crate::s3;

pub(crate) struct Database;
pub(crate) struct Table;

const DATABASE: &str = "glue_database";
const TABLE: &str = "glue_table";

/// The table's definition. Columns and partition keys are `name:type`; a table read
/// without a storage location has a `null` one.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct TableState {
    location: Option<String>,
    columns: Vec<String>,
    partition_keys: Vec<String>,
    parameters: BTreeMap<String, String>,
}

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

fn typed(columns: &[(&str, &str)]) -> Vec<String> {
    columns.iter().map(|(n, t)| format!("{n}:{t}")).collect()
}

fn table_state(location: &str, regions: &[String]) -> TableState {
    let parameters = [
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
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value))
    .collect();
    TableState {
        location: Some(location.to_owned()),
        columns: typed(COLUMNS),
        partition_keys: typed(PARTITIONS),
        parameters,
    }
}

impl Kind for Database {
    type State = Exists;
    const KIND: &'static str = DATABASE;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(athena) = athena(spec) else {
            return Vec::new();
        };
        let mut desired = declare(database_address(athena, scope), &Exists {});
        desired.ensure = athena.ensure;
        vec![desired]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Exists>) -> Live<Exists> {
        let address = read.address;
        let glue = ctx.glue(region_of(address));
        let answer = glue.get_database().name(name_of(address)).send().await;
        let out = found(
            address,
            "glue:GetDatabase",
            &["EntityNotFoundException"],
            answer,
        )?;
        Ok(out.map(|_| Exists {}))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, _after: &Exists) -> Done {
        let address = &change.address;
        let input = DatabaseInput::builder()
            .name(name_of(address))
            .description("baseline: CloudTrail logs for Athena")
            .build()
            .map_err(|err| build_error(address, err))?;
        create!(
            address,
            "glue:CreateDatabase",
            &["AlreadyExistsException"],
            ctx.glue(region_of(address))
                .create_database()
                .database_input(input)
                .send()
        )?;
        Ok(())
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &Exists) -> Done {
        let address = &change.address;
        call!(
            address,
            "glue:DeleteDatabase",
            ctx.glue(region_of(address))
                .delete_database()
                .name(name_of(address))
                .send()
        )?;
        Ok(())
    }
}

impl Kind for Table {
    type State = TableState;
    const KIND: &'static str = TABLE;

    fn desired(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let Some(athena) = athena(spec) else {
            return Vec::new();
        };
        let bucket = bucket_name(spec, scope);
        let bucket = bucket.as_deref().unwrap_or("");
        let address = table_address(athena, scope);
        let desired = if athena.ensure == Ensure::Present {
            let location = format!("s3://{bucket}/AWSLogs/{}/CloudTrail/", scope.account_id);
            declare(address, &table_state(&location, &scope.enabled))
        } else {
            Desired::absent(address)
        };
        let mut depends_on = vec![database_address(athena, scope)];
        if !bucket.is_empty() {
            depends_on
                .push(ResourceAddr::named(s3::bucket::KIND, bucket).in_region(&scope.home_region));
        }
        vec![desired.after(depends_on)]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, TableState>) -> Live<TableState> {
        let address = read.address;
        let (database, table) = split(address);
        let get = ctx.glue(region_of(address)).get_table();
        let answer = get.database_name(database).name(table).send().await;
        let missing = &["EntityNotFoundException"];
        let Some(out) = found(address, "glue:GetTable", missing, answer)? else {
            return Ok(None);
        };
        let Some(table) = out.table() else {
            return Ok(None);
        };
        // A column Glue gives no type reads as `name:`.
        let columns = |cols: &[Column]| -> Vec<String> {
            cols.iter()
                .map(|c| format!("{}:{}", c.name(), c.r#type().unwrap_or("")))
                .collect()
        };
        let storage = table.storage_descriptor();
        Ok(Some(TableState {
            location: storage
                .and_then(StorageDescriptor::location)
                .map(str::to_owned),
            columns: storage.map_or_else(Vec::new, |s| columns(s.columns())),
            partition_keys: columns(table.partition_keys()),
            parameters: table
                .parameters()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_else(BTreeMap::new),
        }))
    }

    /// A table an earlier try made (its answer lost) is given the planned definition like
    /// any existing one.
    async fn create(&self, ctx: &AwsContext, change: &Change, after: &TableState) -> Done {
        let address = &change.address;
        let (database, table) = split(address);
        let input = table_input(table, after).map_err(|err| build_error(address, err))?;
        let created = create!(
            address,
            "glue:CreateTable",
            &["AlreadyExistsException"],
            ctx.glue(region_of(address))
                .create_table()
                .database_name(database)
                .table_input(input.clone())
                .send()
        )?;
        if !created {
            update_table(ctx, address, input).await?;
        }
        Ok(())
    }

    async fn update(
        &self,
        ctx: &AwsContext,
        change: &Change,
        _old: &TableState,
        new: &TableState,
    ) -> Done {
        let address = &change.address;
        let (_, table) = split(address);
        let input = table_input(table, new).map_err(|err| build_error(address, err))?;
        update_table(ctx, address, input).await
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, _before: &TableState) -> Done {
        let address = &change.address;
        let (database, table) = split(address);
        call!(
            address,
            "glue:DeleteTable",
            ctx.glue(region_of(address))
                .delete_table()
                .database_name(database)
                .name(table)
                .send()
        )?;
        Ok(())
    }
}

/// Gives the table at `address` the definition `input`.
async fn update_table(ctx: &AwsContext, address: &ResourceAddr, input: TableInput) -> Done {
    let (database, _) = split(address);
    call!(
        address,
        "glue:UpdateTable",
        ctx.glue(region_of(address))
            .update_table()
            .database_name(database)
            .table_input(input)
            .send()
    )?;
    Ok(())
}

/// `DATABASE.TABLE` of the address; empty parts when it has no dot.
fn split(address: &ResourceAddr) -> (&str, &str) {
    address
        .name
        .as_deref()
        .and_then(|n| n.split_once('.'))
        .unwrap_or(("", ""))
}

fn table_input(name: &str, state: &TableState) -> Result<TableInput, String> {
    // A column without a type is a string.
    let columns = |columns: &[String]| -> Result<Vec<Column>, String> {
        columns
            .iter()
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
    let storage = StorageDescriptor::builder()
        .set_columns(Some(columns(&state.columns)?))
        .set_location(state.location.clone())
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
        .set_parameters(Some(state.parameters.clone().into_iter().collect()))
        .set_partition_keys(Some(columns(&state.partition_keys)?))
        .storage_descriptor(storage)
        .build()
        .map_err(|e| e.to_string())
}
