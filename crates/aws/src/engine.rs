//! An AWS account, as the engine sees one: reached with checked credentials, read and
//! changed through the kinds' registry.

use std::sync::Arc;

use baseline_core::plan::Desired;
use baseline_core::scope::Scope;
use baseline_core::{Provider, ResourceAddr, Spec};
use baseline_engine::Account;

use crate::{AwsContext, AwsProvider};

impl Account for AwsContext {
    fn provider(self: Arc<Self>) -> Arc<dyn Provider> {
        Arc::new(AwsProvider::new(self))
    }

    async fn scope(&self, spec: &Spec) -> Result<Scope, String> {
        crate::resolve_scope(self, spec)
            .await
            .map_err(|err| err.to_string())
    }

    /// The context is told what will be read, so that reads AWS answers in batches (the
    /// Config rules of a region) ask for every wanted resource at once.
    fn expand(&self, spec: &Spec, scope: &Scope) -> Vec<Desired> {
        let desired = crate::expand(spec, scope);
        self.want(desired.iter().map(|d| &d.address));
        desired
    }

    fn destroys(&self, address: &ResourceAddr) -> bool {
        crate::destroys(address)
    }

    /// The SDK clients (one per service and region, each with its own runtime parts) and
    /// the shared answers go; a member's are made again if it is applied.
    fn rest(&self) {
        self.forget_clients();
        self.forget_shared();
    }

    /// Assumes `role` in the member account and checks that the credentials are for it.
    async fn reach(&self, account_id: &str, role: &str) -> (String, Result<Arc<Self>, String>) {
        let role_arn = self.role_arn(account_id, role);
        let member = Arc::new(self.assume_role(&role_arn).await);
        let checked = match member.check_pin(account_id).await {
            Ok(()) => Ok(member),
            Err(err) => Err(format!(
                "cannot act in it through {role_arn}: {err}\n  = hint: the role must exist in the account and trust the management account (accounts AWS Organizations creates have it); set `targets.role` if yours is another"
            )),
        };
        (role_arn, checked)
    }
}
