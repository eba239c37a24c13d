//! Canonical strings over the request's parameters (the text most open platforms sign),
//! rendered.

use super::scope::Scope;
use crate::{Canonical, SortBy};

impl Canonical {
    pub(super) fn render(&self, scope: &Scope) -> String {
        let mut pairs: Vec<(&str, String)> = scope
            .collection(self.from)
            .filter(|(k, v)| {
                self.include
                    .as_ref()
                    .is_none_or(|names| names.iter().any(|n| n == k))
                    && !self.exclude.iter().any(|n| n == k)
                    && !(self.drop_empty && v.is_empty())
            })
            .map(|(k, v)| (k.as_str(), format!("{k}{}{v}", self.joiner)))
            .collect();
        match self.sort {
            // `sort_by` is stable: equal names keep the order they are sent in.
            SortBy::Key => pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes())),
            SortBy::Pair => pairs.sort_by(|a, b| a.1.as_bytes().cmp(b.1.as_bytes())),
            SortBy::AsSent => {}
        }
        let texts: Vec<String> = pairs.into_iter().map(|(_, text)| text).collect();
        texts.join(&self.separator)
    }
}
