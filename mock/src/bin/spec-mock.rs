//! `spec-mock SPEC [--port P] [--tolerance-seconds S]`: serves a spec until interrupted
//! (`cargo xtask mock SPEC --port P` runs this).

use std::process::ExitCode;
use std::time::Duration;

use spec_mock::{MockConfig, MockServer};

fn usage() -> ExitCode {
    eprintln!("usage: spec-mock SPEC [--port P] [--tolerance-seconds S]");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(spec) = args.first() else {
        return usage();
    };
    let mut config = MockConfig::new(spec);
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().and_then(|v| v.parse::<u64>().ok());
        config = match (flag.as_str(), value) {
            ("--port", Some(p)) => match u16::try_from(p) {
                Ok(p) => config.port(p),
                Err(_) => return usage(),
            },
            ("--tolerance-seconds", Some(s)) => config.tolerance(Duration::from_secs(s)),
            _ => return usage(),
        };
    }
    let mock = match MockServer::start(config).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("serving {spec} at {}", mock.base_url());
    println!(
        "credentials: the spec's env variables, or mock-<name> where unset (values not shown)"
    );
    match tokio::signal::ctrl_c().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot wait for Ctrl-C: {e}");
            ExitCode::FAILURE
        }
    }
}
