//! `spec-mock SPEC [OPTIONS]`: serves a spec until interrupted (`cargo xtask mock SPEC …` runs
//! this). `spec-mock --help` lists the options.

use std::process::ExitCode;
use std::time::Duration;

use spec_mock::{CONTROL_PREFIX, MockConfig, MockServer};

const HELP: &str = "\
spec-mock: a strict mock server driven by a spec alone

usage: spec-mock SPEC [OPTIONS]

Serves SPEC on 127.0.0.1: token grants, every endpoint with its auth steps recomputed, the
document's example answers. Refusals carry the spec's error code and an `x-mock-refusal`
header (kind, step, reason); each is logged at INFO on stderr.

Control surface (curl-friendly JSON under /__mock; `GET /__mock` lists it):
  POST /__mock/authorization-codes      a single-use authorization code
  POST /__mock/scripts/OPERATION        script the next answer of an operation
  GET  /__mock/requests[?operation=OP]  requests received (secrets redacted)
  GET  /__mock/operations               endpoints, grants, webhook kinds, credentials
  POST /__mock/reset                    forget requests, scripts, tokens, nonces
  POST /__mock/webhooks/KIND            send a signed webhook delivery to a receiver

Options:
  --port P                        port (default: any free one)
  --tolerance-seconds S           time window for timestamps and nonces (default 300)
  --webhook-receiver URL          where webhook deliveries go by default
  --webhook-signature-header H    header carrying a delivery's signature when the spec does not say
  --max-connections N             connections served at once (default 512)
  --header-read-timeout-ms MS     time to send a request's headers (default 5000)
  --idle-timeout-ms MS            time without I/O during a request (default 30000)
  --max-body BYTES                largest request body (default 8388608)
  --max-recorded-requests N       requests kept for /__mock/requests (default 1000)
  --max-recorded-body BYTES       bytes of each body kept (default 65536)
  -h, --help                      this text

Credentials: the spec's env variables (printed at start), or mock-<name> where unset.";

fn usage(problem: &str) -> ExitCode {
    eprintln!("spec-mock: {problem}\nusage: spec-mock SPEC [OPTIONS] (spec-mock --help)");
    ExitCode::from(2)
}

fn parse(args: &[String]) -> Result<(String, MockConfig), String> {
    let mut spec = None;
    let mut options = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg.starts_with("--") {
            let value = rest.next().ok_or(format!("{arg} needs a value"))?;
            options.push((arg.as_str(), value.as_str()));
        } else if spec.is_none() {
            spec = Some(arg.clone());
        } else {
            return Err(format!("unexpected argument `{arg}`"));
        }
    }
    let spec = spec.ok_or("no spec given")?;
    let mut config = MockConfig::new(&spec);
    for (flag, value) in options {
        let number = || -> Result<u64, String> {
            value
                .parse()
                .map_err(|_| format!("{flag}: `{value}` is not a number"))
        };
        let size = || -> Result<usize, String> {
            usize::try_from(number()?).map_err(|_| format!("{flag}: `{value}` is too large"))
        };
        config = match flag {
            "--port" => config.port(
                u16::try_from(number()?).map_err(|_| format!("--port: `{value}` is not a port"))?,
            ),
            "--tolerance-seconds" => config.tolerance(Duration::from_secs(number()?)),
            "--webhook-receiver" => config.webhook_receiver(value),
            "--webhook-signature-header" => config.webhook_signature_header(value),
            "--max-connections" => config.max_connections(size()?),
            "--header-read-timeout-ms" => {
                config.header_read_timeout(Duration::from_millis(number()?))
            }
            "--idle-timeout-ms" => config.idle_timeout(Duration::from_millis(number()?)),
            "--max-body" => config.max_body(size()?),
            "--max-recorded-requests" => config.max_recorded_requests(size()?),
            "--max-recorded-body" => config.max_recorded_body(size()?),
            other => return Err(format!("unknown option `{other}`")),
        };
    }
    Ok((spec, config))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let (spec, config) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(problem) => return usage(&problem),
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .init();
    let mock = match MockServer::start(config).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("serving {spec}");
    println!("base URL: {}", mock.base_url());
    println!(
        "control: {} (GET {CONTROL_PREFIX} lists it)",
        mock.control_url()
    );
    for line in mock.credential_lines() {
        println!("{line}");
    }
    match tokio::signal::ctrl_c().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot wait for Ctrl-C: {e}");
            ExitCode::FAILURE
        }
    }
}
