fn main() {
    println!("{}", serde_json::to_string_pretty(&codegen::spec::schema::spec_schema()).unwrap());
}
