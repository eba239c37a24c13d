//! Secrets are `SecretString`s: reading one takes an explicit `expose_secret()`.

use generated_client::erp::Credentials;

fn main() {
    let credentials = Credentials::new("my-client-id", "my-client-secret");
    let s: &str = &credentials.client_secret;
    println!("{s}");
}
