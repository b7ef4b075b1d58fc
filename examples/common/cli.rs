//! What the command line tools share: their credentials, from their arguments and the
//! environment, and error messages in their terms.

use ews_bindings::{ClientBuilder, Error, Secret};

/// Looks up an environment variable: the process environment, or a test's own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Adds the credentials the command line asks for. With `--user`: Basic authentication,
/// the password from `EWS_PASSWORD` (`EWS_TOKEN` is then not looked at). Otherwise a bearer
/// token from `--token`, else from `EWS_TOKEN`. Otherwise none.
pub fn with_credentials(
    builder: ClientBuilder,
    user: Option<&str>,
    token: Option<&str>,
    env: Env<'_>,
) -> Result<ClientBuilder, String> {
    if let Some(user) = user {
        let password = env("EWS_PASSWORD")
            .ok_or("--user needs the password in the EWS_PASSWORD environment variable")?;
        return Ok(builder.basic_auth(user.to_owned(), Secret::new(password)));
    }
    Ok(
        match token.map(str::to_owned).or_else(|| env("EWS_TOKEN")) {
            Some(token) => builder.bearer_token(Secret::new(token)),
            None => builder,
        },
    )
}

/// Adds the TLS trust the command line asks for: the root certificates of the PEM file
/// `ca_cert`, and with `danger`, no certificate checks at all.
pub fn with_tls(
    builder: ClientBuilder,
    ca_cert: Option<&str>,
    danger: bool,
) -> Result<ClientBuilder, String> {
    let mut builder = builder;
    if let Some(file) = ca_cert {
        let pem = std::fs::read(file)
            .map_err(|e| format!("cannot read the --ca-cert file {file}: {e}"))?;
        builder = builder.root_certificates_pem(pem);
    }
    if danger {
        builder = builder.danger_accept_invalid_certificates();
    }
    Ok(builder)
}

/// The message of a failed call, naming the option that changes what caused it.
pub fn message(error: &Error) -> String {
    match error {
        Error::ResponseTooLarge { limit } => format!(
            "the response is larger than the limit of {} MB; raise it with --max-response-mb",
            limit >> 20
        ),
        other => other.to_string(),
    }
}
