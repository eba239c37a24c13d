//! The OpenAPI export says what the spec says. (Its validity against the
//! OpenAPI 3.1 schema is checked by an independent validator in CI:
//! `cargo xtask openapi --validate`.)

use std::path::Path;

use serde_json::{Value, json};

fn export(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../specs/{name}.yaml"));
    codegen::openapi::export_file(&path).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn erp_is_oauth2_with_both_flows_and_an_enveloped_success() {
    let doc = export("erp");
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "https://httpsAPI");
    let flows = &doc["components"]["securitySchemes"]["oauth2"]["flows"];
    assert_eq!(
        flows["clientCredentials"]["tokenUrl"],
        "https://httpsAPI/public/token.php"
    );
    assert_eq!(
        flows["authorizationCode"]["authorizationUrl"],
        "https://httpsAPI/public/authorize.php"
    );
    let op = &doc["paths"]["/public/worehouse.php"]["get"];
    assert_eq!(op["security"], json!([{ "oauth2": [] }]));
    let page_size = &op["parameters"][2];
    assert_eq!(page_size["name"], "page_size");
    assert_eq!(page_size["schema"]["maximum"], 100);
    assert_eq!(page_size["schema"]["x-document-lines"], json!([131]));
    let success = &op["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(success["properties"]["code"]["enum"], json!([0]));
    assert_eq!(
        success["properties"]["data"]["$ref"],
        "#/components/schemas/InventoryPage"
    );
    let codes = &op["responses"]["default"]["x-error-codes"];
    assert!(codes.as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["code"] == -1 && c["class"] == "renew_token")
    }));
    // GET and POST are both allowed; each is an operation with its own id.
    assert_eq!(
        doc["paths"]["/public/worehouse.php"]["post"]["operationId"],
        "query_inventory_post"
    );
}

#[test]
fn decimals_and_civil_times_say_what_they_are() {
    let doc = export("erp");
    let schemas = &doc["components"]["schemas"];
    let cnt = &schemas["InventoryItem"]["properties"]["inventory_cnt"];
    assert_eq!(
        (&cnt["type"], &cnt["format"]),
        (&json!("string"), &json!("decimal"))
    );
    let created = &schemas["SalesOrder"]["properties"]["create_at"];
    assert_eq!(created["x-format"], "yyyy-MM-dd HH:mm:ss[.SSSSSS]");
    assert_eq!(
        schemas["InventoryItem"]["properties"]["create_at"]["format"],
        "date"
    );
    // The document's default for `day` ("1") is not a date: kept apart, not as `default`.
    let day = &doc["paths"]["/public/worehouse.php"]["get"]["parameters"][0]["schema"];
    assert_eq!(
        (day.get("default"), &day["x-document-default"]),
        (None, &json!("1"))
    );
}

#[test]
fn custom_recipes_are_described_step_by_step() {
    let doc = export("zhiyun");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["basic"]["scheme"], "basic");
    assert_eq!(
        schemes["query_p_"]["x-value"],
        json!({ "arithmetic": "(t_ % 10000) * 3 + 2345" })
    );
    assert_eq!(schemes["query_t_"]["x-value"], json!({ "now": "millis" }));
    // Every step is required together on an authenticated call.
    let requirement = &doc["security"][0];
    assert_eq!(requirement.as_object().map(|o| o.len()), Some(6));
    assert!(doc["x-auth"]["recipe"]["token"]["grants"]["authorize"].is_object());

    let jfwms = export("jfwms");
    let sign = &jfwms["components"]["securitySchemes"]["header_sign"]["x-value"];
    assert!(
        sign["hmac_sha256_hex"]["data"]["sorted_pairs"].is_object(),
        "{sign}"
    );
    assert!(jfwms["webhooks"]["order"]["post"]["x-signature"]["signed_text"].is_string());
}

#[test]
fn http_status_tables_become_responses_and_meta_is_kept() {
    let niumall = export("niumall");
    let op = &niumall["paths"]["/orders"]["get"];
    assert_eq!(op["responses"]["401"]["description"], "未授权,需要登录");
    assert!(op["responses"].get("200").is_some());
    let sc8 = export("supercarrier8");
    assert!(sc8["components"]["schemas"]["ErrorEnvelope"]["properties"]["meta"].is_object());
}
