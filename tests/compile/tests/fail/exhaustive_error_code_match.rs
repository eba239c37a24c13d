//! `ErrorCode` is `#[non_exhaustive]`: a match needs a wildcard arm, even when
//! it lists every variant known today.

use generated_client::erp::ErrorCode;

fn retry(code: &ErrorCode) -> bool {
    match code {
        ErrorCode::InvalidRequest => false,
        ErrorCode::InvalidClient => false,
        ErrorCode::InvalidGrant => false,
        ErrorCode::UnsupportedGrantType => false,
        ErrorCode::UnauthorizedClient => false,
        ErrorCode::Ok => false,
        ErrorCode::Unauthorized => true,
        ErrorCode::Unknown(_) => false,
    }
}

fn main() {
    let _ = retry(&ErrorCode::Unauthorized);
}
