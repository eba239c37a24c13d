//! The `types:` section: records and their fields, type expressions (each parsed once and
//! kept for `ir::lower`), recursion through required fields.

use super::*;

impl Checker<'_> {
    /// A type that contains itself without a list or map in between has infinite size.
    pub(super) fn check_recursion(&mut self) {
        let spec = &self.loaded.spec;
        // Direct (non-list, non-map) object fields of each type.
        let direct = |name: &str| -> Vec<String> {
            spec.types.get(name).map_or_else(Vec::new, |def| {
                def.fields
                    .values()
                    .filter_map(|f| match TypeExpr::parse(&f.ty) {
                        Ok(TypeExpr::Named(inner)) => Some(inner),
                        Ok(TypeExpr::JsonText(t)) => match *t {
                            TypeExpr::Named(inner) => Some(inner),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect()
            })
        };
        for start in spec.types.keys() {
            let mut stack = direct(start);
            let mut seen = BTreeSet::new();
            while let Some(name) = stack.pop() {
                if name == *start {
                    self.err(&format!("types.@{start}"), format!("type `{start}` contains itself without a list or map in between, so it would have infinite size"));
                    break;
                }
                if seen.insert(name.clone()) {
                    stack.extend(direct(&name));
                }
            }
        }
    }

    /// Parses a type expression and checks its named types exist.
    pub(super) fn check_type_expr(&mut self, path: &str, text: &str) -> Option<TypeExpr> {
        match TypeExpr::parse(text) {
            Ok(ty) => {
                if let Some(name) = ty
                    .named()
                    .filter(|n| !self.loaded.spec.types.contains_key(*n))
                {
                    let known: Vec<&str> =
                        self.loaded.spec.types.keys().map(String::as_str).collect();
                    let hint = crate::spec::schema::closest(name, &known)
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    self.err(
                        path,
                        format!("type `{name}` is not defined in `types`{hint}"),
                    );
                }
                self.types.insert(path.to_owned(), ty.clone());
                Some(ty)
            }
            Err(msg) => {
                self.err(path, msg);
                None
            }
        }
    }

    pub(super) fn check_field(
        &mut self,
        path: &str,
        wire: &str,
        field: &Field,
        rust_names: &mut HashMap<String, String>,
    ) {
        let ty = self.check_type_expr(&format!("{path}.type"), &field.ty);
        let rust = field.rust_name.clone().unwrap_or_else(|| field_name(wire));
        let key_path = match path.rsplit_once('.') {
            Some((parent, last)) => format!("{parent}.@{last}"),
            None => path.to_owned(),
        };
        if is_keyword(&rust) {
            self.err(
                &key_path,
                format!("`{wire}` becomes the Rust keyword `{rust}`; set `rust_name`"),
            );
        } else if !is_snake_case_ident(&rust) {
            self.err(path, format!("`{wire}` gives the Rust name `{rust}`, which is not a snake_case identifier; set `rust_name`"));
        }
        if let Some(other) = rust_names.insert(rust.clone(), wire.to_owned()) {
            self.err(path, format!("`{wire}` and `{other}` both become the Rust field `{rust}`; set `rust_name` on one"));
        }
        if let Some(ty) = ty {
            if field.lenient && !ty.is_lenient_capable() {
                self.err(
                    &format!("{path}.lenient"),
                    format!(
                        "`lenient` applies to {}, not {ty}",
                        lenient_capable().join(", ")
                    ),
                );
            }
            if field.wire.is_some() && ty != TypeExpr::Primitive(Primitive::Decimal) {
                self.err(
                    &format!("{path}.wire"),
                    format!("`wire` applies to decimal, not {ty}"),
                );
            }
        }
    }

    pub(super) fn check_types(&mut self) {
        let spec = &self.loaded.spec;
        let mut seen: HashMap<String, String> = HashMap::new();
        for (name, def) in &spec.types {
            let path = format!("types.{name}");
            if !is_upper_camel_ident(name) {
                self.err(
                    &format!("types.@{name}"),
                    format!("type name `{name}` must be UpperCamelCase"),
                );
            }
            if RESERVED_TYPE_NAMES.contains(&name.as_str())
                || name.ends_with("Request")
                    && spec
                        .endpoints
                        .keys()
                        .any(|e| format!("{}Request", variant_name(e)) == *name)
            {
                self.err(
                    &format!("types.@{name}"),
                    format!("type name `{name}` collides with a name the generator emits"),
                );
            }
            if let Some(other) = seen.insert(name.to_lowercase(), name.clone()) {
                self.err(
                    &format!("types.@{name}"),
                    format!("types `{name}` and `{other}` differ only in case"),
                );
            }
            let mut rust_names = HashMap::new();
            for (wire, field) in &def.fields {
                self.check_field(
                    &format!("{path}.fields.{wire}"),
                    wire,
                    field,
                    &mut rust_names,
                );
            }
        }
    }

    /// The type of the last field of `a.b.c` when every field on the way is required and non-null.
    pub(super) fn resolve_field_path<'s>(
        &'s self,
        def: &'s TypeDef,
        dotted: &str,
    ) -> Option<TypeExpr> {
        let fields = field_path(&self.loaded.spec, def, dotted)?;
        if fields.iter().any(|(_, f)| f.nullable || f.optional) {
            return None;
        }
        TypeExpr::parse(&fields.last()?.1.ty).ok()
    }
}
