//! `logging:` as the account has it: its multi-region trail and the bucket it delivers to,
//! AWS Config's recorders, rules and aggregator, and Athena over the trail's logs.

use std::collections::{BTreeMap, BTreeSet};

use baseline_core::{ProviderError, ResourceAddr};
use serde_json::{Value, json};

use super::yaml::Node;
use super::{Survey, flag, number, text};
use crate::cloudtrail::multi_region_trails;
use crate::context::AwsContext;
use crate::error::{call, list_pages};

/// The account's own multi-region trail (not one another account's organization trail
/// shows here), and its home region.
#[derive(Clone, Debug)]
pub(super) struct OwnTrail {
    pub name: String,
    pub home_region: String,
}

/// Read once, by the survey: it also says where the home region is.
pub(super) async fn own_trail(
    ctx: &AwsContext,
    account_id: &str,
) -> Result<Option<OwnTrail>, Vec<ProviderError>> {
    let start = ctx.region().unwrap_or("us-east-1").to_owned();
    let address = ResourceAddr::singleton("init").in_region(&start);
    let trails = multi_region_trails(ctx, &address, &start)
        .await
        .map_err(|e| vec![e])?;
    let own = format!(":{account_id}:trail/");
    let mut trails: Vec<OwnTrail> = trails
        .iter()
        .filter(|t| t.trail_arn().is_some_and(|arn| arn.contains(&own)))
        .filter_map(|t| {
            Some(OwnTrail {
                name: t.name()?.to_owned(),
                home_region: t.home_region()?.to_owned(),
            })
        })
        .collect();
    // More than one is a finding the plan reports (`other_trails`); the first by name is
    // described.
    trails.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(trails.into_iter().next())
}

pub(super) async fn logging(survey: &Survey) -> Result<Node, Vec<ProviderError>> {
    let home = survey.home.as_str();
    let mut node = Node::map();
    let trail = match &survey.trail {
        Ok(Some(trail)) if trail.home_region == home => Some(trail),
        Ok(_) => None,
        Err(errors) => return Err(errors.clone()),
    };
    let trail_state = match &trail {
        Some(trail) => {
            survey
                .read_one(ResourceAddr::named("cloudtrail_trail", &trail.name).in_region(home))
                .await?
        }
        None => None,
    };
    let channel = if survey.recorders.contains(home) {
        survey
            .read_one(ResourceAddr::singleton("config_delivery_channel").in_region(home))
            .await?
    } else {
        None
    };
    // The log bucket: the trail's, else Config's.
    let bucket = trail_state
        .as_ref()
        .and_then(|s| text(s, "/bucket"))
        .or_else(|| channel.as_ref().and_then(|c| text(c, "/bucket")))
        .map(str::to_owned);
    if let Some(bucket) = &bucket {
        node.set("bucket", log_bucket(survey, bucket).await?);
    }
    if let (Some(trail), Some(state)) = (&trail, &trail_state) {
        node.set("cloudtrail", cloudtrail(survey, &trail.name, state).await?);
    }
    if !survey.recorders.is_empty() {
        node.set("config", config(survey, channel.as_ref()).await?);
    }
    if let Some(bucket) = &bucket
        && let Some(athena) = athena(survey, bucket).await?
    {
        node.set("athena", athena);
    }
    Ok(node)
}

async fn log_bucket(survey: &Survey, name: &str) -> Result<Node, Vec<ProviderError>> {
    let home = &survey.home;
    let state = survey
        .read_one(ResourceAddr::named("s3_bucket", name).in_region(home))
        .await?
        .unwrap_or(Value::Null);
    let mut node = Node::map();
    node.set("name", Node::str(survey.templated(name)));
    if text(&state, "/encryption/algorithm") == Some("aws:kms") {
        node.set("encryption", Node::str("kms"))
            .note("the trail's key");
    }
    let lifecycle = lifecycle(&state);
    if let Some(lifecycle) = &lifecycle {
        node.set("lifecycle", lifecycle.clone());
    }
    if let Some(target) = text(&state, "/access_logging/bucket") {
        let mut access = Node::map();
        access.set("bucket", Node::str(survey.templated(target)));
        let prefix = text(&state, "/access_logging/prefix").unwrap_or_default();
        if prefix != format!("{name}/") {
            access.set("prefix", Node::str(prefix));
        }
        let logs = survey
            .read_one(ResourceAddr::named("s3_bucket", target).in_region(home))
            .await?
            .unwrap_or(Value::Null);
        let own = self::lifecycle(&logs);
        if own != lifecycle {
            access.set("lifecycle", own.unwrap_or_else(Node::map));
        }
        node.set("access_logging", access).note("CIS 3.4");
    }
    Ok(node)
}

/// baseline's lifecycle rule on a log bucket (`baseline-logs`), as `lifecycle:` says it.
fn lifecycle(bucket: &Value) -> Option<Node> {
    let rules = bucket.get("lifecycle")?.as_array()?;
    let rule = rules
        .iter()
        .find(|r| text(r, "/id") == Some("baseline-logs"))?;
    let mut node = Node::map();
    for field in ["transition_to_glacier_days", "expire_days"] {
        if let Some(days) = rule.get(field).filter(|d| !d.is_null()) {
            node.set(field, number(days));
        }
    }
    let expires = rule.get("expire_days").is_some_and(|d| !d.is_null());
    if let Some(days) = rule.get("noncurrent_expire_days").filter(|d| !d.is_null())
        && !(expires && days == &json!(30))
    {
        node.set("noncurrent_expire_days", number(days));
    }
    Some(node)
}

async fn cloudtrail(
    survey: &Survey,
    name: &str,
    state: &Value,
) -> Result<Node, Vec<ProviderError>> {
    let home = &survey.home;
    let partition = survey.partition();
    let account = &survey.account_id;
    let mut node = Node::map();
    node.set("name", Node::str(name));
    for (field, key) in [
        ("multi_region", "multi_region"),
        ("global_service_events", "global_service_events"),
        ("log_file_validation", "log_file_validation"),
    ] {
        if !flag(state, &format!("/{field}")) {
            node.set(key, Node::Scalar(json!(false)));
        }
    }
    let own_key = format!("arn:{partition}:kms:{home}:{account}:alias/cloudtrail-{name}");
    match text(state, "/kms_key") {
        Some(key) if key == own_key => {
            node.set("kms", Node::Scalar(json!(true)))
                .note("CIS 3.5; the key alias/cloudtrail-NAME, rotated yearly (3.6)");
        }
        Some(key) => {
            node.set("kms", Node::Scalar(json!(true)))
                .note(format!(
                    "CIS 3.5: the trail uses {key}; baseline manages its own key, \
                     alias/cloudtrail-{name}, and would switch the trail to it"
                ))
                .suggest();
        }
        None => {}
    }
    let own_group = format!("/aws/cloudtrail/{name}");
    let group_arn = format!("arn:{partition}:logs:{home}:{account}:log-group:{own_group}:*");
    // The retention to write, and why it is a suggestion when it is one.
    let retention = match text(state, "/cloudwatch_logs/log_group") {
        Some(group) if group == group_arn => {
            let logs = survey
                .read_one(ResourceAddr::named("logs_group", &own_group).in_region(home))
                .await?;
            match logs
                .as_ref()
                .and_then(|l| l.get("retention_days"))
                .filter(|d| !d.is_null())
            {
                Some(days) => Some((days.clone(), None)),
                None => Some((
                    json!(365),
                    Some(format!(
                        "{own_group} keeps events forever now; pick a retention"
                    )),
                )),
            }
        }
        Some(group) => Some((
            json!(365),
            Some(format!(
                "the trail sends events to {group}; baseline's own group is {own_group}"
            )),
        )),
        None => None,
    };
    if let Some((days, why)) = retention {
        let mut logs = Node::map();
        logs.set("retention_days", number(&days));
        let entry = node.set("cloudwatch_logs", logs);
        if let Some(why) = why {
            entry.note(why).suggest();
        }
    }
    if flag(state, "/s3_data_events") {
        node.set("s3_data_events", Node::Scalar(json!(true)))
            .note("CIS 3.8, 3.9");
    }
    if flag(state, "/organization") {
        node.set("organization", Node::Scalar(json!(true)));
    }
    Ok(node)
}

async fn config(survey: &Survey, channel: Option<&Value>) -> Result<Node, Vec<ProviderError>> {
    let home = &survey.home;
    let mut node = Node::map();
    if survey.recorders != survey.regions {
        node.set("regions", survey.regions_node(&survey.recorders))
            .note("the regions with a recorder");
    }
    let rules = managed_rules(survey, home).await.map_err(|e| vec![e])?;
    if !rules.is_empty() {
        node.set("rules", Node::List(rules));
    }
    if let Some(topic) = channel.and_then(|c| text(c, "/sns_topic_arn")) {
        node.set("sns_topic_arn", Node::str(survey.templated(topic)));
    }
    let address = ResourceAddr::singleton("init").in_region(home);
    let aggregators = call!(
        &address,
        "config:DescribeConfigurationAggregators",
        survey
            .ctx
            .config(home)
            .describe_configuration_aggregators()
            .send()
    )
    .map_err(|e| vec![e])?;
    if let Some(aggregator) = aggregators.configuration_aggregators().first()
        && let Some(name) = aggregator.configuration_aggregator_name()
    {
        let mut agg = Node::map();
        agg.set("name", Node::str(name));
        if aggregator.organization_aggregation_source().is_some() {
            agg.set("organization", Node::Scalar(json!(true)));
        }
        node.set("aggregator", agg);
    }
    Ok(node)
}

/// The AWS managed rules of the home region that bear baseline's name for them (the
/// identifier in kebab case), with their parameters.
async fn managed_rules(survey: &Survey, region: &str) -> Result<Vec<Node>, ProviderError> {
    let address = ResourceAddr::singleton("init").in_region(region);
    let config = survey.ctx.config(region);
    let mut rules = Vec::new();
    let mut token = None;
    loop {
        let out = call!(
            &address,
            "config:DescribeConfigRules",
            config.describe_config_rules().set_next_token(token).send()
        )?;
        rules.extend(out.config_rules().iter().cloned());
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut found = BTreeMap::new();
    for rule in &rules {
        let Some(source) = rule.source() else {
            continue;
        };
        let identifier = source.source_identifier().unwrap_or_default();
        let owned = source.owner().as_str() == "AWS";
        let named = rule.config_rule_name() == Some(&crate::config::rule::rule_name(identifier));
        if !owned || !named {
            continue;
        }
        let parameters: BTreeMap<String, Value> = rule
            .input_parameters()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default();
        let node = if parameters.is_empty() {
            Node::str(identifier)
        } else {
            let mut full = Node::map();
            full.set("identifier", Node::str(identifier));
            let mut params = Node::map();
            for (key, value) in parameters {
                let value = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                params.set(&key, Node::str(value));
            }
            full.set("parameters", params);
            full
        };
        found.insert(identifier.to_owned(), node);
    }
    Ok(found.into_values().collect())
}

/// An Athena workgroup whose saved queries read a table over the log bucket's CloudTrail
/// logs.
async fn athena(survey: &Survey, bucket: &str) -> Result<Option<Node>, Vec<ProviderError>> {
    let home = &survey.home;
    let address = ResourceAddr::singleton("init").in_region(home);
    let groups: Vec<_> = list_pages!(
        &address,
        "athena:ListWorkGroups",
        survey.ctx.athena(home).list_work_groups()
    )
    .map_err(|e| vec![e])?
    .into_iter()
    .flat_map(|p| p.work_groups.unwrap_or_default())
    .collect();
    let names: Vec<String> = groups
        .iter()
        .filter_map(|g| g.name().map(str::to_owned))
        .filter(|n| n != "primary")
        .collect();
    let addresses: Vec<ResourceAddr> = names
        .iter()
        .map(|n| ResourceAddr::named("athena_workgroup", n).in_region(home))
        .collect();
    let live = survey.read(&addresses).await?;
    let location = format!("s3://{bucket}/AWSLogs/");
    for (name, state) in names.iter().zip(live) {
        let Some(state) = state else { continue };
        let Some(results) = text(&state, "/output_location")
            .and_then(|l| l.strip_prefix("s3://"))
            .map(|l| l.trim_end_matches('/').to_owned())
        else {
            continue;
        };
        let databases: BTreeSet<String> = state
            .get("named_queries")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|q| q.values())
            .filter_map(|q| text(q, "/database").map(str::to_owned))
            .collect();
        for database in databases {
            let tables: Vec<_> = list_pages!(
                &address,
                "glue:GetTables",
                survey.ctx.glue(home).get_tables().database_name(&database)
            )
            .map_err(|e| vec![e])?
            .into_iter()
            .flat_map(|p| p.table_list.unwrap_or_default())
            .collect();
            let table = tables.iter().find(|t| {
                t.storage_descriptor()
                    .and_then(|s| s.location())
                    .is_some_and(|l| l.starts_with(&location))
            });
            if let Some(table) = table {
                let mut node = Node::map();
                node.set("workgroup", Node::str(name));
                node.set("database", Node::str(&database));
                node.set("table", Node::str(table.name()));
                node.set("results_bucket", Node::str(survey.templated(&results)));
                return Ok(Some(node));
            }
        }
    }
    Ok(None)
}
