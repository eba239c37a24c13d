//! `erpNo` is required: `GetOrderRequest::new` takes it.

use generated_client::jfwms;

fn main() {
    let _ = jfwms::GetOrderRequest::new();
}
