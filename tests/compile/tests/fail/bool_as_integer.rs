//! `page_size` takes exactly an `i64`: a `bool` (which `Into<i64>` would accept) does not compile.

use generated_client::erp::QueryInventoryRequest;

fn main() {
    let _ = QueryInventoryRequest::new().page_size(true);
}
