//! Every credential the spec declares must be given.

use generated_client::erp::Credentials;

fn main() {
    let _ = Credentials {
        client_id: "my-client-id".to_owned(),
    };
}
