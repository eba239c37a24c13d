//! Response types are `#[non_exhaustive]`: only the client builds them.

use generated_client::erp::Pagination;

fn main() {
    let _ = Pagination {
        page: 1,
        page_size: 20,
        total: 0,
        total_pages: 0,
    };
}
