//! Canonical strings over the request's parameters: the text most open platforms sign.

use super::scope::{Collection, Scope};

/// Order of the pairs of a [`Canonical`] string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SortBy {
    /// By name, byte order; pairs with equal names keep the order they are sent in.
    Key,
    /// By the whole `name + joiner + value` text, byte order.
    Pair,
    /// In the order they are sent.
    AsSent,
}

/// `name + joiner + value` for each selected parameter, ordered, joined by `separator`.
///
/// Selection: the pairs of `from`; only names in `include` when it is given; none of the names
/// in `exclude`; no pair with an empty value when `drop_empty`. Values are the text sent,
/// before URL or form encoding.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Canonical {
    /// Which parameters.
    pub from: Collection,
    /// Only these names, when given.
    pub include: Option<Vec<&'static str>>,
    /// Never these names (typically the signature's own, `sign`).
    pub exclude: Vec<&'static str>,
    /// Leave out pairs whose value is empty.
    pub drop_empty: bool,
    /// Order of the pairs.
    pub sort: SortBy,
    /// Between a name and its value (`=`, or nothing).
    pub joiner: &'static str,
    /// Between pairs (`&`, or nothing).
    pub separator: &'static str,
}

impl Canonical {
    /// All pairs of `from`, sorted by key, joined as `k{joiner}v{separator}…`.
    pub fn new(from: Collection, joiner: &'static str, separator: &'static str) -> Self {
        Canonical {
            from,
            include: None,
            exclude: Vec::new(),
            drop_empty: false,
            sort: SortBy::Key,
            joiner,
            separator,
        }
    }

    /// Only these names.
    pub fn including(mut self, names: &[&'static str]) -> Self {
        self.include = Some(names.to_vec());
        self
    }

    /// Never these names.
    pub fn excluding(mut self, names: &[&'static str]) -> Self {
        self.exclude = names.to_vec();
        self
    }

    /// Leave out empty values.
    pub fn dropping_empty(mut self) -> Self {
        self.drop_empty = true;
        self
    }

    /// Order the pairs so.
    pub fn sorted_by(mut self, sort: SortBy) -> Self {
        self.sort = sort;
        self
    }

    pub(super) fn render(&self, scope: &Scope) -> String {
        let mut pairs: Vec<(&str, String)> = scope
            .collection(self.from)
            .filter(|(k, v)| {
                self.include
                    .as_ref()
                    .is_none_or(|names| names.contains(&k.as_str()))
                    && !self.exclude.contains(&k.as_str())
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
        texts.join(self.separator)
    }
}
