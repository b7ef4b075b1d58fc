//! What the command line tools share: their credentials, from their arguments and the
//! environment, and error messages in their terms.

use ews_bindings::{ClientBuilder, Error, Secret};

/// Looks up an environment variable: the process environment, or a test's own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The authentication `--auth` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthKind {
    /// HTTP Basic, with --user and the password from EWS_PASSWORD.
    Basic,
    /// An OAuth 2.0 bearer token, from --token or EWS_TOKEN.
    Bearer,
    /// Windows authentication (NTLMv2), with --user and the password from EWS_PASSWORD.
    Ntlm,
    /// Windows authentication offered as Negotiate (NTLMv2 inside; no Kerberos).
    Negotiate,
}

/// Adds the credentials the command line asks for. `--auth basic|ntlm|negotiate` (and
/// `--user` alone, which means Basic) take the user from `--user` and the password from
/// `EWS_PASSWORD`; `EWS_TOKEN` is then not looked at. `--auth bearer`, and no `--user`,
/// take the token from `--token`, else from `EWS_TOKEN`. Without any, no credentials.
pub fn with_credentials(
    builder: ClientBuilder,
    auth: Option<AuthKind>,
    user: Option<&str>,
    token: Option<&str>,
    env: Env<'_>,
) -> Result<ClientBuilder, String> {
    let kind = match (auth, user) {
        (Some(kind), _) => kind,
        (None, Some(_)) => AuthKind::Basic,
        (None, None) => AuthKind::Bearer,
    };
    if kind == AuthKind::Bearer {
        if user.is_some() {
            return Err("--auth bearer takes --token (or EWS_TOKEN), not --user".to_owned());
        }
        return match token.map(str::to_owned).or_else(|| env("EWS_TOKEN")) {
            Some(token) => Ok(builder.bearer_token(Secret::new(token))),
            None if auth.is_some() => {
                Err("--auth bearer needs --token or the EWS_TOKEN environment variable".to_owned())
            }
            None => Ok(builder),
        };
    }
    let name = format!("{kind:?}").to_lowercase();
    let user = user.ok_or_else(|| format!("--auth {name} needs --user"))?;
    if token.is_some() {
        return Err(format!("--auth {name} takes --user, not --token"));
    }
    // Named as the user asked: `--user` alone means Basic.
    let asked = match auth {
        Some(_) => format!("--auth {name}"),
        None => "--user".to_owned(),
    };
    let password = env("EWS_PASSWORD").ok_or_else(|| {
        format!("{asked} needs the password in the EWS_PASSWORD environment variable")
    })?;
    let password = Secret::new(password);
    Ok(match kind {
        AuthKind::Ntlm => builder.ntlm(user, password),
        AuthKind::Negotiate => builder.negotiate(user, password),
        AuthKind::Basic | AuthKind::Bearer => builder.basic_auth(user, password),
    })
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
