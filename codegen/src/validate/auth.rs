//! The `auth:` section: credentials, token grants and refresh policy, the steps every request
//! runs (their values parsed by `recipe`).

use super::*;

impl Checker<'_> {
    pub(super) fn check_auth(&mut self) {
        let spec = &self.loaded.spec;
        let credentials: BTreeSet<String> = spec.auth.credentials.keys().cloned().collect();
        let secrets: BTreeSet<String> = spec
            .auth
            .credentials
            .iter()
            .filter(|(_, c)| c.secret)
            .map(|(name, _)| name.clone())
            .collect();
        for name in &credentials {
            if !is_snake_case_ident(name) || is_keyword(name) {
                self.err(&format!("auth.credentials.@{name}"), format!("credential `{name}` must be a snake_case identifier that is not a Rust keyword"));
            }
            if REQUEST_VARS.contains(&name.as_str()) {
                self.err(
                    &format!("auth.credentials.@{name}"),
                    format!("credential `{name}` would hide the request fact `{{{name}}}`; the names {} are reserved", REQUEST_VARS.join(", ")),
                );
            }
        }
        let mut token_vars: BTreeSet<String> = BTreeSet::new();
        if let Some(token) = &spec.auth.token {
            token_vars.insert("access_token".into());
            if token.response.refresh_token.is_some() {
                token_vars.insert("refresh_token".into());
            }
            token_vars.extend(token.response.extra.keys().cloned());
            for (which, grant) in [
                ("automatic", &token.automatic),
                ("refresh_with", &token.refresh_with),
            ] {
                if let Some(g) = grant.as_ref().filter(|g| !token.grants.contains_key(*g)) {
                    self.err(
                        &format!("auth.token.{which}"),
                        format!("grant `{g}` is not defined in `auth.token.grants`"),
                    );
                }
            }
            for (i, g) in token.interchangeable_grants.iter().enumerate() {
                if !token.grants.contains_key(g) {
                    self.err(
                        &format!("auth.token.interchangeable_grants[{i}]"),
                        format!("grant `{g}` is not defined in `auth.token.grants`"),
                    );
                }
            }
            if token.automatic.is_none()
                && token.authorize.is_none()
                && token.grants.values().all(|g| g.inputs.is_empty())
            {
                self.err("auth.token", "no way to obtain a token: set `automatic`, `authorize`, or a grant with `inputs`");
            }
            for (name, grant) in &token.grants {
                let path = format!("auth.token.grants.{name}");
                if !is_snake_case_ident(name) || is_keyword(name) {
                    self.err(
                        &format!("auth.token.grants.@{name}"),
                        format!("grant name `{name}` must be a snake_case identifier"),
                    );
                }
                for (i, input) in grant.inputs.iter().enumerate() {
                    if !is_snake_case_ident(input) || is_keyword(input) {
                        self.err(&format!("{path}.inputs[{i}]"), format!("input `{input}` must be a snake_case identifier that is not a Rust keyword (it names a method argument)"));
                    }
                }
                let mut scope: BTreeSet<String> = credentials.clone();
                scope.extend(grant.inputs.iter().cloned());
                let mut fields = Vec::new();
                for (field, value) in &grant.fields {
                    let reads = recipe::Reads {
                        names: &scope,
                        secrets: &secrets,
                        params: None,
                        carried: &BTreeSet::new(),
                    };
                    let value = self.check_value(&format!("{path}.fields.{field}"), value, &reads);
                    fields.push((field.clone(), value));
                }
                self.recipe.grant_fields.insert(name.clone(), fields);
                let has_client_credentials =
                    credentials.contains("client_id") && credentials.contains("client_secret");
                if !grant.client_auth.is_empty() && !has_client_credentials {
                    self.err(
                        &format!("{path}.client_auth"),
                        "`client_auth` needs credentials named `client_id` and `client_secret`",
                    );
                }
                if let Some(p) = grant.path.as_ref().filter(|p| !p.starts_with('/')) {
                    self.err(
                        &format!("{path}.path"),
                        format!("path {p:?} must start with `/`"),
                    );
                }
            }
            if let Some(authorize) = &token.authorize {
                let mut scope = credentials.clone();
                scope.extend(["redirect_uri".to_owned(), "state".to_owned()]);
                for (param, value) in &authorize.params {
                    let reads = recipe::Reads {
                        names: &scope,
                        secrets: &secrets,
                        params: None,
                        carried: &BTreeSet::new(),
                    };
                    let value = self.check_value(
                        &format!("auth.token.authorize.params.{param}"),
                        value,
                        &reads,
                    );
                    self.recipe.authorize_params.push((param.clone(), value));
                }
            }
            if let Some(f) = token
                .policy
                .refresh_in_last_fraction
                .filter(|f| !(0.0..1.0).contains(f))
            {
                self.err(
                    "auth.token.policy.refresh_in_last_fraction",
                    format!("{f} must be between 0 and 1"),
                );
            }
        }
        let mut names: BTreeSet<String> = credentials;
        names.extend(token_vars.iter().cloned());
        self.check_apply(names, &secrets);
        self.check_grant_steps(&token_vars);
    }
}
