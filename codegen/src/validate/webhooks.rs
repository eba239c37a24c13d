//! The `webhooks:` section: deliveries, their kinds and signature recipes.

use super::*;

impl Checker<'_> {
    pub(super) fn check_webhooks(&mut self) {
        let spec = &self.loaded.spec;
        let Some(hooks) = &spec.webhooks else { return };
        let mut rust_names = HashMap::new();
        for (wire, field) in &hooks.fields {
            self.check_field(
                &format!("webhooks.fields.{wire}"),
                wire,
                field,
                &mut rust_names,
            );
        }
        if let Some(wire) = &hooks.timestamp {
            let usable = hooks
                .fields
                .get(wire)
                .is_some_and(|f| f.ty == "integer" && !f.optional);
            if !usable {
                self.err(
                    "webhooks.timestamp",
                    format!("`{wire}` must name a required integer entry of `webhooks.fields`"),
                );
            }
        }
        let mut variants: HashMap<String, String> = HashMap::new();
        for (kind, event) in &hooks.events {
            let path = format!("webhooks.events.{kind}");
            self.check_type_expr(&format!("{path}.type"), &event.ty);
            let name = event.name.clone().unwrap_or_else(|| variant_name(kind));
            if !is_upper_camel_ident(&name) || name == "Unknown" {
                self.err(
                    &path,
                    format!("variant name `{name}` is not usable; set `name`"),
                );
            }
            if let Some(other) = variants.insert(name.clone(), kind.clone()) {
                self.err(
                    &path,
                    format!("events `{kind}` and `{other}` both become variant `{name}`"),
                );
            }
            let mut names = rust_names.clone();
            for (wire, field) in &event.fields {
                self.check_field(&format!("{path}.fields.{wire}"), wire, field, &mut names);
            }
        }
        let sig = &hooks.signature;
        if !spec.auth.credentials.contains_key(&sig.secret) {
            self.err(
                "webhooks.signature.secret",
                format!("`{}` is not a credential", sig.secret),
            );
        }
        if let Some(value) = &sig.value {
            let mut names: BTreeSet<String> = ["payload", "body"].map(String::from).into();
            names.insert(sig.secret.clone());
            let secrets = BTreeSet::from([sig.secret.clone()]);
            let reads = recipe::Reads {
                names: &names,
                secrets: &secrets,
                params: None,
                carried: &BTreeSet::new(),
            };
            let value = self.check_value("webhooks.signature.value", value, &reads);
            self.recipe.webhook_signature = Some(value);
        }
        if let Some(algorithm) = sig.algorithm.as_ref().filter(|a| *a != "md5_hex") {
            self.err(
                "webhooks.signature.algorithm",
                format!("unsupported algorithm `{algorithm}`; supported: md5_hex (or write a `value` recipe)"),
            );
        }
        if let Some(text) = sig
            .signed_text
            .as_ref()
            .filter(|t| !t.contains("{payload}"))
        {
            self.err(
                "webhooks.signature.signed_text",
                format!("the signed text {text:?} must contain `{{payload}}`"),
            );
        }
        let shorthand = sig.algorithm.is_some() || sig.signed_text.is_some();
        let complete_shorthand = sig.algorithm.is_some() && sig.signed_text.is_some();
        if sig.value.is_some() == shorthand || (shorthand && !complete_shorthand) {
            self.err(
                "webhooks.signature",
                "give either `value` (a recipe) or both `algorithm` and `signed_text`",
            );
        } else if let Some(text) = &sig.signed_text {
            self.recipe.webhook_signature = Some(recipe::signed_text(text, &sig.secret));
        }
    }
}
