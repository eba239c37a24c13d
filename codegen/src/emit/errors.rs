//! Error-code tables → one `ErrorCode` enum with an `Unknown` fallback.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{doc, ident, int, md};
use crate::ir::Api;
use crate::spec::model::{Code, ErrorClass};

fn class_tokens(class: ErrorClass) -> TokenStream {
    let variant = ident(match class {
        ErrorClass::Success => "Success",
        ErrorClass::Auth => "Auth",
        ErrorClass::RenewToken => "RenewToken",
        ErrorClass::Reauthorize => "Reauthorize",
        ErrorClass::Resign => "Resign",
        ErrorClass::ClockSkew => "ClockSkew",
        ErrorClass::Retryable => "Retryable",
        ErrorClass::RateLimited => "RateLimited",
        ErrorClass::Caller => "Caller",
        ErrorClass::Vendor => "Vendor",
    });
    quote!(rt::ErrorClass::#variant)
}

fn code_pattern(code: &Code) -> TokenStream {
    match code {
        Code::Int(n) => {
            let n = int(*n);
            quote!(rt::RawCode::Int(#n))
        }
        Code::Str(s) => quote!(rt::RawCode::Str(s) if s == #s),
    }
}

fn code_value(code: &Code) -> TokenStream {
    match code {
        Code::Int(n) => {
            let n = int(*n);
            quote!(rt::RawCode::Int(#n))
        }
        Code::Str(s) => quote!(rt::RawCode::Str(#s.to_owned())),
    }
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
            text.push_str(&format!("\n\n{}", md(d)));
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
    let from_raw = entries.iter().map(|(_, c)| {
        let name = ident(&c.variant);
        let pat = code_pattern(&c.code);
        quote!(#pat => ErrorCode::#name,)
    });
    let class_arms = entries.iter().map(|(_, c)| {
        let name = ident(&c.variant);
        let class = class_tokens(c.class);
        quote!(ErrorCode::#name => #class,)
    });
    let code_arms = entries.iter().map(|(_, c)| {
        let name = ident(&c.variant);
        let value = code_value(&c.code);
        quote!(ErrorCode::#name => #value,)
    });
    let message_arms = entries.iter().map(|(_, c)| {
        let name = ident(&c.variant);
        let message = &c.message;
        quote!(ErrorCode::#name => Some(#message),)
    });
    let table_arms = entries.iter().map(|(t, c)| {
        let name = ident(&c.variant);
        let title = &t.title;
        quote!(ErrorCode::#name => Some(#title),)
    });
    let status_arms: Vec<TokenStream> = api
        .error_tables
        .iter()
        .filter(|t| t.http_status)
        .flat_map(|t| &t.codes)
        .filter_map(|c| match &c.code {
            Code::Int(n) => {
                let n = u16::try_from(*n).ok().map(int)?;
                let name = ident(&c.variant);
                Some(quote!(#n => Some(ErrorCode::#name),))
            }
            Code::Str(_) => None,
        })
        .collect();
    let from_http_status = if status_arms.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            fn from_http_status(status: u16) -> Option<Self> {
                match status {
                    #(#status_arms)*
                    _ => None,
                }
            }
        }
    };
    let tables: Vec<String> = api
        .error_tables
        .iter()
        .map(|t| format!("- {} ({} codes)", md(&t.title), t.codes.len()))
        .collect();
    let enum_doc = doc(&format!(
        "Every code the document lists, from these tables:\n\n{}\n\nCodes the document does not list decode to [`ErrorCode::Unknown`], never to a decode failure.",
        tables.join("\n")
    ));
    quote! {
        #enum_doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#variants)*
            /// A code the document does not list; the raw code is kept.
            Unknown(rt::RawCode),
        }

        impl ErrorCode {
            /// The code as the vendor sends it.
            pub fn code(&self) -> rt::RawCode {
                match self {
                    #(#code_arms)*
                    ErrorCode::Unknown(raw) => raw.clone(),
                }
            }

            /// The document's message for this code, verbatim (placeholders such as `%s` kept).
            pub fn documented_message(&self) -> Option<&'static str> {
                match self {
                    #(#message_arms)*
                    ErrorCode::Unknown(_) => None,
                }
            }

            /// The values the vendor filled into this code's `%s` placeholders, recovered from
            /// the response's own message (e.g. the SKU in `sku(%s) is exist`). `None` when the
            /// message does not follow the documented template.
            pub fn placeholder_values(&self, message: &str) -> Option<Vec<String>> {
                rt::placeholder_values(self.documented_message()?, message)
            }

            /// The title of the document's table that lists this code.
            pub fn table(&self) -> Option<&'static str> {
                match self {
                    #(#table_arms)*
                    ErrorCode::Unknown(_) => None,
                }
            }
        }

        impl rt::VendorCode for ErrorCode {
            fn from_raw(raw: &rt::RawCode) -> Self {
                match raw {
                    #(#from_raw)*
                    _ => ErrorCode::Unknown(raw.clone()),
                }
            }

            fn class(&self) -> rt::ErrorClass {
                match self {
                    #(#class_arms)*
                    ErrorCode::Unknown(_) => rt::ErrorClass::Unknown,
                }
            }

            #from_http_status
        }

        /// Errors of this client: transport, HTTP, vendor codes ([`ErrorCode`]), auth and decoding.
        pub type Error = rt::Error<ErrorCode>;

        /// `Result` with this client's [`Error`].
        pub type Result<T, E = Error> = std::result::Result<T, E>;
    }
}
