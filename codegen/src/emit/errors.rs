//! Error-code tables → one `ErrorCode` enum with an `Unknown` fallback.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc, ident, inline, int, md};
use crate::ir::Api;
use crate::ir::{Code, ErrorClass};

fn class_tokens(class: ErrorClass) -> TokenStream {
    super::data::expr(&class)
}

pub fn emit_errors(api: &Api) -> TokenStream {
    let entries: Vec<_> = api
        .error_tables
        .iter()
        .flat_map(|t| t.codes.iter().map(move |c| (t, c)))
        .collect();
    let variants = entries.iter().map(|(table, c)| {
        let name = ident(&c.variant);
        let code = match &c.code {
            Code::Int(n) => n.to_string(),
            Code::Str(s) => format!("\"{s}\""),
        };
        let mut text = format!("`{code}`: {}", md(&c.message));
        if let Some(d) = &c.doc {
            text.push_str(&format!("\n\n{}", inline(d)));
        }
        if let Some(j) = &c.java_name {
            text.push_str(&format!("\n\nVendor constant `{j}`."));
        }
        text.push_str(&format!(
            "\n\nTable: {}. Class: {:?}.",
            md(&table.title),
            c.class
        ));
        let doc = doc(&text);
        quote!(#doc #name,)
    });
    let table_entries = entries.iter().map(|(table, c)| {
        let name = ident(&c.variant);
        let class = class_tokens(c.class);
        let message = &c.message;
        let title = &table.title;
        let info = match &c.code {
            Code::Int(n) => {
                let n = int(*n);
                quote!(private::CodeInfo::int(#n, #class, #message, #title))
            }
            Code::Str(s) => quote!(private::CodeInfo::str(#s, #class, #message, #title)),
        };
        let info = if table.http_status {
            quote!(#info.http_status())
        } else {
            info
        };
        let info = if c.rejected_before_execution {
            quote!(#info.rejected_before_execution())
        } else {
            info
        };
        quote!((ErrorCode::#name, #info),)
    });
    let from_http_status = if api.error_tables.iter().any(|t| t.http_status) {
        quote! {
            fn from_http_status(status: u16) -> Option<Self> {
                CODES.from_http_status(status)
            }
        }
    } else {
        TokenStream::new()
    };
    let tables: Vec<String> = api
        .error_tables
        .iter()
        .map(|t| format!("- {} ({} codes)", md(&t.title), t.codes.len()))
        .collect();
    let enum_doc = doc(&if entries.is_empty() {
        "The document lists no error codes: every code decodes to [`ErrorCode::Unknown`], never to a decode failure.".to_owned()
    } else {
        format!(
            "Every code the document lists, from these tables:\n\n{}\n\nCodes the document does not list decode to [`ErrorCode::Unknown`], never to a decode failure.",
            tables.join("\n")
        )
    });
    // With no documented code, `Unknown` is the only variant and a wildcard arm is unreachable.
    let other_codes = if entries.is_empty() {
        TokenStream::new()
    } else {
        quote!(_ => None,)
    };
    quote! {
        #enum_doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants)*
            /// A code the document does not list; the raw code is kept.
            Unknown(rt::RawCode),
        }

        /// What the document says about each code, as data.
        static CODES: private::CodeTable<ErrorCode> = private::CodeTable::new(&[#(#table_entries)*]);

        impl ErrorCode {
            fn unknown(&self) -> Option<&rt::RawCode> {
                match self {
                    ErrorCode::Unknown(raw) => Some(raw),
                    #other_codes
                }
            }

            /// The code as the vendor sends it.
            pub fn code(&self) -> rt::RawCode {
                CODES.raw_code(self, self.unknown())
            }

            /// The document's message for this code, verbatim (placeholders such as `%s` kept).
            pub fn documented_message(&self) -> Option<&'static str> {
                CODES.info(self).map(|i| i.message)
            }

            /// The values the vendor filled into this code's `%s` placeholders, recovered from
            /// the response's own message (e.g. the SKU in `sku(%s) is exist`). `None` when the
            /// message does not follow the documented template.
            pub fn placeholder_values(&self, message: &str) -> Option<Vec<String>> {
                private::placeholder_values(self.documented_message()?, message)
            }

            /// The title of the document's table that lists this code.
            pub fn table(&self) -> Option<&'static str> {
                CODES.info(self).map(|i| i.table)
            }
        }

        impl rt::VendorCode for ErrorCode {
            fn from_raw(raw: &rt::RawCode) -> Self {
                CODES.from_raw(raw).unwrap_or_else(|| ErrorCode::Unknown(raw.clone()))
            }

            fn class(&self) -> rt::ErrorClass {
                CODES.class(self)
            }

            fn rejected_before_execution(&self) -> bool {
                CODES.rejected_before_execution(self)
            }

            #from_http_status
        }

        /// Errors of this client: transport, HTTP, vendor codes ([`ErrorCode`]), auth and decoding.
        pub type Error = rt::Error<ErrorCode>;

        /// `Result` with this client's [`Error`].
        pub type Result<T, E = Error> = std::result::Result<T, E>;
    }
}
