//! Integration-test support: strict local fakes of the vendor APIs and a tiny raw HTTP client.

pub mod chaos;
pub mod fakes;
pub mod hostile;
pub mod python_fake;
pub mod raw_http;
pub mod redis_server;
pub mod secrets;
