//! The `endpoints:` section: parameters and where they go, fixed values, path templates,
//! pagination.

use super::*;

impl Checker<'_> {
    pub(super) fn check_endpoints(&mut self) {
        let spec = &self.loaded.spec;
        let mut methods: HashMap<String, String> = HashMap::new();
        for (name, ep) in &spec.endpoints {
            let path = format!("endpoints.{name}");
            if !is_snake_case_ident(name) || is_keyword(name) {
                self.err(&format!("endpoints.@{name}"), format!("endpoint name `{name}` must be a snake_case identifier that is not a Rust keyword"));
            }
            for generated in [name.clone(), format!("{name}_pages")] {
                if let Some(other) = methods.insert(generated.clone(), name.clone()) {
                    self.err(
                        &format!("endpoints.@{name}"),
                        format!(
                            "method `{generated}` is generated for both `{name}` and `{other}`"
                        ),
                    );
                }
            }
            if ep.methods.is_empty() {
                self.err(
                    &format!("{path}.methods"),
                    "at least one HTTP method is required",
                );
            }
            if ep.idempotent && matches!(ep.methods.first(), Some(HttpMethod::Get)) {
                self.err(
                    &format!("{path}.idempotent"),
                    "GET requests are idempotent already; remove `idempotent`",
                );
            }
            if !ep.path.starts_with('/') {
                self.err(&format!("{path}.path"), "path must start with `/`");
            }
            let mut rust_names: HashMap<String, String> = HashMap::new();
            let mut has_body = false;
            for (wire, param) in &ep.params {
                let ppath = format!("{path}.params.{wire}");
                let ty = match (&param.ty, &param.const_value) {
                    (None, None) => {
                        self.err(&ppath, "`type` is required (or `const`, a fixed value)");
                        None
                    }
                    _ => self.check_type_expr(&format!("{ppath}.type"), param.type_text()),
                };
                if param.const_value.is_some() {
                    self.check_const_param(&ppath, param, ty.as_ref());
                } else {
                    let rust = param.rust_name.clone().unwrap_or_else(|| field_name(wire));
                    if is_keyword(&rust) || !is_snake_case_ident(&rust) {
                        self.err(&ppath, format!("`{wire}` gives the Rust name `{rust}`, which is a keyword or not snake_case; set `rust_name`"));
                    }
                    if let Some(other) = rust_names.insert(rust.clone(), wire.clone()) {
                        self.err(
                            &ppath,
                            format!(
                                "`{wire}` and `{other}` both become the Rust parameter `{rust}`"
                            ),
                        );
                    }
                }
                if let (Some(min), Some(max)) = (param.minimum, param.maximum)
                    && min > max
                {
                    self.err(
                        &format!("{ppath}.minimum"),
                        format!("minimum {min} is above maximum {max}"),
                    );
                }
                if (param.minimum.is_some() || param.maximum.is_some())
                    && ty
                        .as_ref()
                        .is_some_and(|t| *t != TypeExpr::Primitive(Primitive::Integer))
                {
                    self.err(&ppath, "`minimum`/`maximum` apply to integer parameters");
                }
                if param.location == ParamLocation::Body {
                    has_body = true;
                }
                if let Some(ty) = &ty {
                    self.check_param_encoding(&ppath, ep, wire, param, ty);
                }
            }
            self.check_path_template(&path, ep);
            if has_body && ep.body.is_none() {
                self.err(&path, "body parameters need `body: json` or `body: form`");
            }
            if let Some(response) = &ep.response {
                self.check_type_expr(&format!("{path}.response"), response);
            }
            if let Some(p) = &ep.pagination {
                self.check_pagination(&path, ep, p);
            }
        }
    }

    /// A fixed parameter is text the endpoint always sends: no caller-facing options.
    pub(super) fn check_const_param(&mut self, ppath: &str, param: &Param, ty: Option<&TypeExpr>) {
        if ty.is_some_and(|t| *t != TypeExpr::Primitive(Primitive::String)) {
            self.err(
                &format!("{ppath}.type"),
                "a `const` parameter is sent as written: leave `type` out (or say `string`)",
            );
        }
        for (set, key) in [
            (param.default.is_some(), "default"),
            (param.minimum.is_some(), "minimum"),
            (param.maximum.is_some(), "maximum"),
            (param.rust_name.is_some(), "rust_name"),
            (param.wire.is_some(), "wire"),
        ] {
            if set {
                self.err(
                    &format!("{ppath}.{key}"),
                    format!("`{key}` does not apply to a `const` parameter (it is never a caller's argument)"),
                );
            }
        }
    }

    /// Whether the generator can write this type where the parameter stands: text locations
    /// (path, header, query, form) take scalars and `json_text<T>`, query and form also lists of
    /// scalars (one pair per element); only a JSON body takes records, maps and `json`.
    pub(super) fn check_param_encoding(
        &mut self,
        ppath: &str,
        ep: &Endpoint,
        wire: &str,
        param: &Param,
        ty: &TypeExpr,
    ) {
        use types::ParamText;
        let json_body =
            param.location == ParamLocation::Body && ep.body == Some(BodyEncoding::Json);
        if json_body {
            return;
        }
        let place = match param.location {
            ParamLocation::Path => "a path segment",
            ParamLocation::Header => "a header",
            ParamLocation::Query => "a query parameter",
            ParamLocation::Body if ep.body == Some(BodyEncoding::Form) => "a form field",
            ParamLocation::Body => "a query parameter (the endpoint has no body)",
        };
        let type_path = format!("{ppath}.type");
        match (ty.param_text(), param.location) {
            (None, _) => self.err(
                &type_path,
                format!("{ty} has no text form for {place}: write `json_text<{ty}>` to send it as a JSON document inside the text, or put it in a `body: json` endpoint"),
            ),
            (Some(ParamText::Repeated(_)), ParamLocation::Path | ParamLocation::Header) => {
                self.err(
                    &type_path,
                    format!("{ty} cannot be {place} (a list is sent as one pair per element only in a query string or form); use `json_text<{ty}>`"),
                )
            }
            _ => {}
        }
        if param.location == ParamLocation::Path && !param.required && param.const_value.is_none() {
            self.err(ppath, "a path parameter must be `required: true`");
        }
        if param.location == ParamLocation::Header
            && (wire.is_empty() || !wire.bytes().all(is_header_name_byte))
        {
            self.err(ppath, format!("`{wire}` is not a valid HTTP header name"));
        }
    }

    /// Every `{name}` of the path is a path parameter and every path parameter is in the path.
    pub(super) fn check_path_template(&mut self, path: &str, ep: &Endpoint) {
        let mut named = Vec::new();
        let mut rest = ep.path.as_str();
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                self.err(&format!("{path}.path"), "`}` without `{`");
                return;
            }
            let Some(close) = rest[open..].find('}') else {
                self.err(&format!("{path}.path"), "`{` without `}`");
                return;
            };
            named.push(&rest[open + 1..open + close]);
            rest = &rest[open + close + 1..];
        }
        for name in &named {
            match ep.params.get(*name) {
                Some(p) if p.location == ParamLocation::Path => {}
                _ => self.err(
                    &format!("{path}.path"),
                    format!("`{{{name}}}` in the path needs a parameter `{name}` with `in: path`"),
                ),
            }
        }
        for (wire, p) in &ep.params {
            if p.location == ParamLocation::Path && !named.contains(&wire.as_str()) {
                self.err(
                    &format!("{path}.params.{wire}.in"),
                    format!("`{wire}` is a path parameter but the path has no `{{{wire}}}`"),
                );
            }
        }
    }

    pub(super) fn check_pagination(&mut self, path: &str, ep: &Endpoint, p: &Pagination) {
        let spec = &self.loaded.spec;
        match ep.params.get(&p.page_param) {
            Some(param)
                if param.type_text() == "integer"
                    && !param.required
                    && param.const_value.is_none() => {}
            _ => self.err(
                &format!("{path}.pagination.page_param"),
                format!(
                    "`{}` must be an optional integer parameter of this endpoint",
                    p.page_param
                ),
            ),
        }
        let Some(response) = ep.response.as_deref().and_then(|r| spec.types.get(r)) else {
            self.err(
                &format!("{path}.pagination"),
                "pagination needs a `response` naming an object type",
            );
            return;
        };
        match response
            .fields
            .get(&p.items)
            .map(|f| TypeExpr::parse(&f.ty))
        {
            Some(Ok(TypeExpr::List(_))) => {}
            _ => self.err(
                &format!("{path}.pagination.items"),
                format!("`{}` must be a list field of the response type", p.items),
            ),
        }
        if self.resolve_field_path(response, &p.total_pages)
            != Some(TypeExpr::Primitive(Primitive::Integer))
        {
            self.err(
                &format!("{path}.pagination.total_pages"),
                format!(
                    "`{}` must lead to an integer field of the response type",
                    p.total_pages
                ),
            );
        }
    }
}
