//! Prints a synthetic spec of N operations (for `bench/scale.sh`): each operation is a POST
//! with an 8-field JSON body answering an enveloped list of 15-field items, each with a
//! 5-field nested list. Usage: `cargo run -p codegen --example synth_spec -- 2000 > spec.yaml`.

use std::fmt::Write as _;

const SCALARS: [&str; 5] = ["string", "integer", "decimal", "datetime", "boolean"];

const HEADER: &str = r#"source: synthetic.txt
module: synth
vendor:
  name: Synthetic API
  title: Synthetic
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
envelope:
  success:
    code_in: [0]
  code: code
  message: [message]
  data: data
error_codes:
  business:
    title: Errors
    codes:
      - { code: 0, name: Ok, message: OK, class: success }
      - { code: 1, name: Failed, message: Failed, class: vendor }
types:
"#;

fn main() {
    let Some(n) = std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<usize>().ok())
    else {
        eprintln!("usage: synth_spec N");
        std::process::exit(2);
    };
    let mut out = String::from(HEADER);
    for i in 0..n {
        let _ = writeln!(out, "  Nested{i}:\n    doc: Nested line {i}.\n    fields:");
        for f in 0..5 {
            let ty = SCALARS[f % SCALARS.len()];
            let _ = writeln!(
                out,
                "      nested_field_{f}: {{ type: {ty}, doc: Nested field {f}. }}"
            );
        }
        let _ = writeln!(out, "  Item{i}:\n    doc: Item {i}.\n    fields:");
        for f in 0..14 {
            let ty = SCALARS[f % SCALARS.len()];
            let nullable = if f % 4 == 3 { ", nullable: true" } else { "" };
            let _ = writeln!(
                out,
                "      item_field_{f}: {{ type: {ty}{nullable}, doc: Item field {f}. }}"
            );
        }
        let _ = writeln!(
            out,
            "      lines: {{ type: list<Nested{i}>, doc: The nested list. }}"
        );
    }
    out.push_str("endpoints:\n");
    for i in 0..n {
        let _ = writeln!(
            out,
            "  operation_{i}:\n    title: Operation {i}\n    methods: [POST]\n    path: /v1/operation/{i}\n    body: json\n    params:"
        );
        for f in 0..8 {
            let ty = SCALARS[f % SCALARS.len()];
            let required = f < 3;
            let _ = writeln!(
                out,
                "      body_field_{f}: {{ in: body, type: {ty}, required: {required}, doc: Body field {f}. }}"
            );
        }
        let _ = writeln!(out, "    response: list<Item{i}>");
    }
    print!("{out}");
}
