use std::path::PathBuf;
const BASE: &str = r#"source: tiny.txt
module: tiny
vendor:
  name: Tiny API
  title: Tiny
environments:
  - name: production
    base_url: https://api.example.com
auth:
  credentials:
    api_key: { secret: true }
  apply:
    - in: header
      name: X-Api-Key
      value: "{api_key}"
"#;
fn run(name: &str, extra: &str) {
    let dir = std::env::temp_dir().join("codegen_probe");
    std::fs::create_dir_all(&dir).unwrap();
    let p: PathBuf = dir.join(format!("{name}.yaml"));
    std::fs::write(&p, format!("{BASE}{extra}")).unwrap();
    let r = std::panic::catch_unwind(|| codegen::Config::new().generate(&[&p]));
    match r {
        Err(e) => eprintln!("##### {name}: PANIC {:?}", e.downcast_ref::<String>().cloned().or(e.downcast_ref::<&str>().map(|s| s.to_string()))),
        Ok(Ok(files)) => eprintln!("##### {name}: OK {} files", files.len()),
        Ok(Err(e)) => eprintln!("##### {name}: ERR {}", e.to_string().lines().next().unwrap_or("")),
    }
}
fn run2(name: &str, rest: &str) {
    let base = "source: t\nmodule: tiny\nvendor: { name: a, title: b }\n";
    let rest = if rest.starts_with("environments") { rest.to_string() } else { format!("environments: [{{ name: p, base_url: \"https://a.com\" }}]\n{rest}") };
    let dir = std::env::temp_dir().join("codegen_probe");
    std::fs::create_dir_all(&dir).unwrap();
    let p: PathBuf = dir.join(format!("{name}.yaml"));
    std::fs::write(&p, format!("{base}{rest}")).unwrap();
    let r = std::panic::catch_unwind(|| codegen::Config::new().generate(&[&p]));
    match r {
        Err(e) => eprintln!("##### {name}: PANIC {:?}", e.downcast_ref::<String>().cloned().or(e.downcast_ref::<&str>().map(|s| s.to_string()))),
        Ok(Ok(files)) => eprintln!("##### {name}: OK {} files", files.len()),
        Ok(Err(e)) => eprintln!("##### {name}: ERR {}", e.to_string().lines().next().unwrap_or("")),
    }
}
#[test]
fn probe() {
    run("example_name_space", "types:\n  Item:\n    fields:\n      id: { type: integer }\nexamples:\n  my example: { language: json, parses_as: { type: Item }, text: '{\"id\": 1}' }\n");
    run("example_name_kw", "types:\n  Item:\n    fields:\n      id: { type: integer }\nexamples:\n  type: { language: json, parses_as: { type: Item }, text: '{\"id\": 1}' }\n");
    run("example_name_digit", "types:\n  Item:\n    fields:\n      id: { type: integer }\nexamples:\n  1st: { language: json, parses_as: { type: Item }, text: '{\"id\": 1}' }\n");
    run("example_dup_test_name", "types:\n  Item:\n    fields:\n      id: { type: integer }\nexamples:\n  a: { language: json, parses_as: { type: Item }, text: '{\"id\": 1}' }\n  A: { language: json, parses_as: { type: Item }, text: '{\"id\": 1}' }\n");
    run("rust_name_bad", "types:\n  Item:\n    fields:\n      id: { type: integer, rust_name: \"my id\" }\n");
    run("type_named_string", "types:\n  String:\n    fields:\n      id: { type: string }\n");
    run("type_named_option", "types:\n  Option:\n    fields:\n      id: { type: string, optional: true }\n");
    run2("grant_input_bad", "auth:\n  credentials:\n    client_id: {}\n  token:\n    grants:\n      code_grant: { path: /t, encoding: form, fields: { code: x }, inputs: [redirect-uri] }\n    response: { access_token: t }\n  apply: []\n");
    run2("grant_input_kw", "auth:\n  credentials:\n    client_id: {}\n  token:\n    grants:\n      code_grant: { path: /t, encoding: form, fields: { code: \"{type}\" }, inputs: [type] }\n    response: { access_token: t }\n  apply: []\n");
    run("catalogue_missing_endpoint", "catalogue:\n  - title: g\n    entries:\n      - { title: x, endpoint: nope }\n");
    run("param_rust_name_kw", "endpoints:\n  e:\n    title: t\n    methods: [GET]\n    path: /e\n    params:\n      type: { in: query, type: string, rust_name: kind }\n      kind: { in: query, type: string }\n");
    run2("env_dup", "environments:\n  - { name: a, base_url: https://a.com }\n  - { name: a, base_url: https://b.com }\nauth:\n  credentials: {}\n  apply: []\n");
    run2("apply_header_name_bad", "auth:\n  credentials: {}\n  apply:\n    - { in: header, name: \"bad header\\n\", value: x }\n");
    run("error_table_name", "error_codes:\n  my table:\n    title: t\n    codes:\n      - { code: 1, name: A, message: m, class: vendor }\n");
    run("error_code_class_success_code_in_missing_code", "envelope:\n  success: { code_in: [0] }\n  data: data\n");
    run("event_name_bad", "types:\n  E:\n    fields:\n      id: { type: string }\nwebhooks:\n  discriminator: type\n  payload: data\n  events:\n    a-b: { type: E }\n    a_b: { type: E }\n  signature: { algorithm: md5_hex, signed_text: '{payload}', secret: api_key }\n  acknowledgement: { success: '{}', failure: '{}' }\n");
    run("response_list_pagination", "types:\n  Item:\n    fields:\n      id: { type: integer }\nendpoints:\n  e:\n    title: t\n    methods: [GET]\n    path: /e\n    response: list<Item>\n");
    run("type_recursive", "types:\n  Node:\n    fields:\n      child: { type: Node }\n");
    run("type_named_request", "types:\n  ERequest:\n    fields:\n      id: { type: string }\nendpoints:\n  e:\n    title: t\n    methods: [GET]\n    path: /e\n");
    run("type_named_page", "types:\n  Page:\n    fields:\n      id: { type: string }\n");
    run("param_named_like_builder", "endpoints:\n  e:\n    title: t\n    methods: [POST]\n    path: /e\n    body: json\n    params:\n      to_request: { in: body, type: string }\n");
}
