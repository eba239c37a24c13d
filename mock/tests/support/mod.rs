//! Shared helpers of the mock's tests.

#![allow(dead_code)]

use spec_mock::{MockConfig, MockServer};

/// A spec of this repository.
pub fn spec(vendor: &str) -> String {
    format!("{}/../specs/{vendor}.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// A mock of `vendor` accepting these credentials.
pub async fn mock(vendor: &str, credentials: &[(&str, &str)]) -> MockServer {
    mock_with(vendor, credentials, |c| c).await
}

pub async fn mock_with(
    vendor: &str,
    credentials: &[(&str, &str)],
    tune: impl FnOnce(MockConfig) -> MockConfig,
) -> MockServer {
    let mut config = MockConfig::new(spec(vendor));
    for (k, v) in credentials {
        config = config.credential(k, v);
    }
    MockServer::start(tune(config)).await.expect("mock starts")
}

/// The statuses the mock answered for one operation, in order.
pub fn statuses(mock: &MockServer, operation: &str) -> Vec<u16> {
    mock.received_for(operation).iter().map(|r| r.status).collect()
}
