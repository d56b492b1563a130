//! `account.alias` → the account alias of the sign-in URL. An account has at most one:
//! create it, replace it, or remove it with `{ ensure: absent }`.

use baseline_core::plan::Desired;
use baseline_core::spec::{AliasSpec, Ensure};
use baseline_core::template::NameContext;
use baseline_core::{Action, BoxFuture, ProviderError, ResourceAddr, ResourceChange, Spec};
use serde_json::{Value, json};

use crate::context::AwsContext;
use crate::error::{sdk_error, unsupported};
use crate::kind::LegacyKind;
use baseline_core::scope::Scope;

pub(crate) struct AccountAlias;

const KIND: &str = "account_alias";

impl LegacyKind for AccountAlias {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let Some(alias) = &spec.account.alias else {
            return Vec::new();
        };
        let (ensure, state) = match alias {
            AliasSpec::Name(name) => {
                let rendered = name.render(NameContext {
                    account_id: spec.account.id.as_str(),
                    region: None,
                });
                (Ensure::Present, json!({ "alias": rendered }))
            }
            AliasSpec::Absent => (Ensure::Absent, json!({})),
        };
        vec![Desired {
            address: ResourceAddr::singleton(KIND),
            ensure,
            state,
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
            let out = ctx
                .iam()
                .list_account_aliases()
                .send()
                .await
                .map_err(|err| sdk_error(address, "iam:ListAccountAliases", &err))?;
            Ok(out.account_aliases().first().map(|a| json!({ "alias": a })))
        })
    }

    fn apply<'a>(
        &'a self,
        ctx: &'a AwsContext,
        change: &'a ResourceChange,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let address = &change.address;
            let before = alias_in(change.before.as_ref());
            let after = alias_in(change.after.as_ref());
            match (change.action, before, after) {
                (Action::Create, _, Some(new)) => create(ctx, address, new).await,
                // IAM keeps one alias: the old one goes first. If the new one is then
                // refused, the old one is put back so the account is not left without.
                (Action::Update, Some(old), Some(new)) => {
                    delete(ctx, address, old).await?;
                    if let Err(err) = create(ctx, address, new).await {
                        if let Err(restore) = create(ctx, address, old).await {
                            tracing::error!(%restore, "could not restore the previous alias");
                        }
                        return Err(err);
                    }
                    Ok(())
                }
                (Action::Delete, Some(old), _) => delete(ctx, address, old).await,
                (action, _, _) => Err(unsupported(address, &format!("{action:?}"))),
            }
        })
    }
}

fn alias_in(state: Option<&Value>) -> Option<&str> {
    state?.get("alias")?.as_str()
}

async fn create(
    ctx: &AwsContext,
    address: &ResourceAddr,
    alias: &str,
) -> Result<(), ProviderError> {
    ctx.iam()
        .create_account_alias()
        .account_alias(alias)
        .send()
        .await
        .map(|_| ())
        .map_err(|err| {
            let mut error = sdk_error(address, "iam:CreateAccountAlias", &err);
            if error.code.as_deref() == Some("EntityAlreadyExists") {
                error.hint = Some(format!(
                    "aliases are unique across all of AWS: `{alias}` belongs to another account; choose another"
                ));
            }
            error
        })
}

async fn delete(
    ctx: &AwsContext,
    address: &ResourceAddr,
    alias: &str,
) -> Result<(), ProviderError> {
    match ctx
        .iam()
        .delete_account_alias()
        .account_alias(alias)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            Ok(())
        }
        Err(err) => Err(sdk_error(address, "iam:DeleteAccountAlias", &err)),
    }
}
