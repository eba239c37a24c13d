//! The spec as the mock serves it: codegen's IR, whose auth data is already the value language
//! the clients sign with (`spec_lang`), evaluated here by the same interpreter.

use std::path::Path;

use codegen::ir::{self, Api, BodyEncoding, ClientAuth, EndpointIr};
use spec_lang::{Piece, Step, Value};

/// One spec, loaded and converted.
pub(crate) struct MockSpec {
    pub(crate) api: Api,
    /// The path part of the first environment's base URL (`/v1`), served as the mock's base.
    pub(crate) base_path: String,
    pub(crate) grants: Vec<MockGrant>,
}

pub(crate) struct MockGrant {
    pub(crate) ir: ir::GrantIr,
    /// Where the mock serves it: the spec's path, or `/__mock/grants/<name>` for grants whose
    /// path the application configures.
    pub(crate) path: String,
    /// The auth steps it carries (`send_auth_steps`): those that need no token.
    pub(crate) steps: Vec<Step>,
}

impl MockGrant {
    /// Fields whose value is fixed text (`grant_type: client_credentials`): they tell grants
    /// that share a path apart.
    pub(crate) fn literal_fields(&self) -> impl Iterator<Item = (&str, String)> {
        self.ir.fields.iter().filter_map(|(k, v)| match v {
            Value::Template(pieces) if pieces.iter().all(|p| matches!(p, Piece::Lit(_))) => Some((
                k.as_str(),
                pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Lit(s) => s.as_ref(),
                        Piece::Var(_) => "",
                    })
                    .collect(),
            )),
            _ => None,
        })
    }

    /// The grant's fields and the values the spec gives them.
    pub(crate) fn fields(&self) -> &[(String, Value)] {
        &self.ir.fields
    }

    pub(crate) fn encoding(&self) -> BodyEncoding {
        self.ir.encoding
    }

    pub(crate) fn accepts_client_auth(&self, how: ClientAuth) -> bool {
        self.ir.client_auth.contains(&how)
    }
}

/// The path a grant without a spec path is served at.
pub fn grant_path(grant: &str) -> String {
    format!("/__mock/grants/{grant}")
}

impl MockSpec {
    pub(crate) fn load(path: &Path) -> Result<MockSpec, String> {
        let api = codegen::Config::new()
            .lower(path)
            .map_err(|e| e.to_string())?;
        let base_path = api
            .environments
            .first()
            .and_then(|e| {
                let rest = e.base_url.split_once("://")?.1;
                rest.find('/')
                    .map(|i| rest[i..].trim_end_matches('/').to_owned())
            })
            .unwrap_or_default();
        let mut token_vars = vec!["access_token".to_owned(), "refresh_token".to_owned()];
        if let Some(t) = &api.token {
            token_vars.extend(t.response.extra.keys().cloned());
        }
        let token_vars: Vec<&str> = token_vars.iter().map(String::as_str).collect();
        let token_free: Vec<Step> = spec_lang::token_free(&api.steps, &token_vars)
            .into_iter()
            .map(|(_, step)| step.clone())
            .collect();
        let grants = api
            .token
            .iter()
            .flat_map(|t| &t.grants)
            .map(|g| MockGrant {
                path: match &g.path {
                    Some(p) => format!("{base_path}{p}"),
                    None => format!("{base_path}{}", grant_path(&g.name)),
                },
                steps: if g.send_auth_steps {
                    token_free.clone()
                } else {
                    Vec::new()
                },
                ir: g.clone(),
            })
            .collect();
        Ok(MockSpec {
            grants,
            base_path,
            api,
        })
    }

    /// Every path served for the spec (endpoints, grants, `authorize`), with the base path.
    pub(crate) fn paths(&self) -> impl Iterator<Item = String> + '_ {
        let authorize = self
            .api
            .token
            .as_ref()
            .and_then(|t| t.authorize.as_ref())
            .map(|a| format!("{}{}", self.base_path, a.path));
        self.api
            .endpoints
            .iter()
            .map(|e| format!("{}{}", self.base_path, e.path))
            .chain(self.grants.iter().map(|g| g.path.clone()))
            .chain(authorize)
    }

    /// The endpoints at `path` (several when they differ by method).
    pub(crate) fn endpoints_at(&self, path: &str) -> impl Iterator<Item = &EndpointIr> {
        self.api
            .endpoints
            .iter()
            .filter(move |e| crate::params::match_path(&e.path, path).is_some())
    }

    /// The grant served at `path` whose fixed fields the request matches.
    pub(crate) fn grants_at(&self, path: &str) -> impl Iterator<Item = &MockGrant> {
        self.grants.iter().filter(move |g| g.path == path)
    }
}
