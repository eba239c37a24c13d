//! Fetches the user and company information of the 致云 (Zhiyun) open API.
//!
//! ```sh
//! ZHIYUN_BASE_URL=http://auth.xxx.dev.com ZHIYUN_CLIENT_ID=… ZHIYUN_CLIENT_SECRET=… \
//! ZHIYUN_ACCESS_TOKEN=… \
//!     cargo run -p generated-client --example zhiyun_company
//! ```
//! `ZHIYUN_ACCESS_TOKEN` is the token the 致云 desktop software generates at login (valid about
//! three months). The client obtains the `auth_code` itself (6.1鉴权接口) and reuses it.
//!
//! The document offers only plain `http://`: the Basic credentials and tokens then travel
//! unencrypted. Use an `https://` base URL if the server offers one.

use std::process::ExitCode;

use generated_client::runtime::ErrorClass;
use generated_client::zhiyun::{Client, Credentials, Error};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = (|| {
        Ok::<_, String>((
            env("ZHIYUN_BASE_URL")?,
            Credentials::new(
                env("ZHIYUN_CLIENT_ID")?,
                env("ZHIYUN_CLIENT_SECRET")?,
                env("ZHIYUN_ACCESS_TOKEN")?,
            ),
        ))
    })();
    let (base_url, credentials) = match config {
        Ok(c) => c,
        Err(missing) => {
            eprintln!("{missing}");
            return ExitCode::from(2);
        }
    };
    match run(&base_url, credentials).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

async fn run(base_url: &str, credentials: Credentials) -> Result<(), Error> {
    let client = Client::builder(credentials)
        .base_url(base_url)
        .build()
        .await?;

    let user = client.get_user_info().await?;
    println!("user:    {} ({})", user.username, user.truename);
    println!(
        "         phone {}, admin {}, created {}",
        user.phone, user.is_admin, user.created
    );

    let company = client.get_company_info().await?;
    println!(
        "company: {} (type {})",
        company.company_name, company.company_type
    );
    println!("         tax number {}", company.tax_number);
    println!(
        "         {} {} {} {}",
        company.province, company.city, company.zone, company.address
    );
    println!(
        "         legal person {} {}",
        company.legal_person_name, company.legal_person_phone
    );
    println!(
        "         created {}, server time {}",
        company.created, company.nowtime
    );
    Ok(())
}

/// Prints the typed error, with what to do about it.
fn report(err: &Error) {
    eprintln!("error: {err}");
    if let Some(code) = err.code() {
        eprintln!(
            "  code: {code:?} ({})",
            code.documented_message().unwrap_or("not documented")
        );
    }
    let advice = match err.class() {
        ErrorClass::Reauthorize => {
            "log in to the 致云 desktop software again and set the new ZHIYUN_ACCESS_TOKEN"
        }
        ErrorClass::Auth => "check ZHIYUN_CLIENT_ID and ZHIYUN_CLIENT_SECRET",
        ErrorClass::Retryable => "try again later",
        _ => "see the error above",
    };
    eprintln!("  class: {:?}: {advice}", err.class());
}
