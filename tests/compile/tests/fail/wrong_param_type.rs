//! `page_size` is an integer: a string does not convert.

use generated_client::erp::QueryInventoryRequest;

fn main() {
    let _ = QueryInventoryRequest::new().page_size("10");
}
