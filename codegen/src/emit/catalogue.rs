//! The document's navigation catalogue → browsable static data and docs.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc, md};
use crate::ir::CatalogueGroup;

fn group_tokens(g: &CatalogueGroup) -> TokenStream {
    let title = &g.title;
    let entries = g.entries.iter().map(|e| {
        let t = &e.title;
        let dep = e.deprecated;
        let ep = match &e.endpoint {
            Some(x) => quote!(Some(#x)),
            None => quote!(None),
        };
        quote!(Entry { title: #t, deprecated: #dep, endpoint: #ep })
    });
    let groups = g.groups.iter().map(group_tokens);
    quote!(Group { title: #title, entries: &[#(#entries),*], groups: &[#(#groups),*] })
}

fn markdown(groups: &[CatalogueGroup], depth: usize, out: &mut String) {
    for g in groups {
        out.push_str(&format!("{}- **{}**\n", "  ".repeat(depth), md(&g.title)));
        for e in &g.entries {
            let mark = if e.deprecated { " *(deprecated)*" } else { "" };
            out.push_str(&format!(
                "{}- {}{mark}\n",
                "  ".repeat(depth + 1),
                md(&e.title)
            ));
        }
        markdown(&g.groups, depth + 1, out);
    }
}

pub fn emit_catalogue(groups: &[CatalogueGroup]) -> TokenStream {
    if groups.is_empty() {
        return TokenStream::new();
    }
    let mut text = String::from(
        "Every endpoint the document's navigation names, in its groups. The document gives no paths or\nfields for most of them: call them with [`Client::call`].\n\n",
    );
    markdown(groups, 0, &mut text);
    let d = doc(&text);
    let groups = groups.iter().map(group_tokens);
    quote! {
        #d
        pub mod catalogue {
            /// A navigation group.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct Group {
                /// The group's heading, verbatim.
                pub title: &'static str,
                /// Entries directly in this group.
                pub entries: &'static [Entry],
                /// Nested groups.
                pub groups: &'static [Group],
            }

            /// A named endpoint.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct Entry {
                /// The entry's name, verbatim.
                pub title: &'static str,
                /// Marked 废弃 or 作废 by the document.
                pub deprecated: bool,
                /// The typed client method, when the document specifies this endpoint.
                pub endpoint: Option<&'static str>,
            }

            /// The catalogue's top-level groups.
            pub const GROUPS: &[Group] = &[#(#groups),*];
        }
    }
}
