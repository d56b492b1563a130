//! `account.alias` → the account alias of the sign-in URL. An account has at most one:
//! create it, replace it, or remove it with `{ ensure: absent }`.

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::spec::AliasSpec;
use baseline_core::template::NameContext;
use baseline_core::{ResourceAddr, Spec};
use serde::{Deserialize, Serialize};

use crate::context::AwsContext;
use crate::error::{deleted, sdk_error};
use crate::iam::principal::NO_SUCH_ENTITY;
use crate::kind::{Change, Done, Live};
use crate::kind::{Kind, Read, declare};

pub(crate) struct AccountAlias;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Alias {
    alias: String,
}

impl Kind for AccountAlias {
    type State = Alias;
    const KIND: &'static str = "account_alias";

    fn desired(&self, spec: &Spec, _scope: &Scope) -> Vec<Desired> {
        let address = ResourceAddr::singleton(Self::KIND);
        let desired = match spec.account.alias.as_ref() {
            None => return Vec::new(),
            Some(AliasSpec::Name(name)) => {
                let alias = name.render(NameContext {
                    account_id: spec.account.id.as_str(),
                    region: None,
                });
                declare(address, &Alias { alias })
            }
            // No alias: nothing to compare, only that there is none.
            Some(AliasSpec::Absent) => Desired::absent(address),
        };
        vec![desired]
    }

    async fn read(&self, ctx: &AwsContext, read: Read<'_, Alias>) -> Live<Alias> {
        let out = ctx
            .iam()
            .list_account_aliases()
            .send()
            .await
            .map_err(|err| sdk_error(read.address, "iam:ListAccountAliases", &err))?;
        Ok(out.account_aliases().first().map(|alias| Alias {
            alias: alias.clone(),
        }))
    }

    async fn create(&self, ctx: &AwsContext, change: &Change, after: &Alias) -> Done {
        create(ctx, &change.address, &after.alias).await
    }

    /// IAM keeps one alias: the old one goes first. If the new one is then refused, the old
    /// one is put back so the account is not left without.
    async fn update(&self, ctx: &AwsContext, change: &Change, old: &Alias, new: &Alias) -> Done {
        let address = &change.address;
        delete(ctx, address, &old.alias).await?;
        if let Err(err) = create(ctx, address, &new.alias).await {
            if let Err(restore) = create(ctx, address, &old.alias).await {
                tracing::error!(%restore, "could not restore the previous alias");
            }
            return Err(err);
        }
        Ok(())
    }

    async fn delete(&self, ctx: &AwsContext, change: &Change, before: &Alias) -> Done {
        delete(ctx, &change.address, &before.alias).await
    }
}

async fn create(ctx: &AwsContext, address: &ResourceAddr, alias: &str) -> Done {
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

async fn delete(ctx: &AwsContext, address: &ResourceAddr, alias: &str) -> Done {
    let answer = ctx
        .iam()
        .delete_account_alias()
        .account_alias(alias)
        .send()
        .await;
    deleted(address, "iam:DeleteAccountAlias", NO_SUCH_ENTITY, answer)
}
