//! What the command line tools share: parsing their arguments, the options that reach a
//! server (credentials from the arguments and the environment, TLS trust, timeout), and
//! error messages in their terms.

use std::io::Write;
use std::time::Duration;

use ews_bindings::{Autodiscover, ClientBuilder, Discovered, Error, Secret};

/// Looks up an environment variable: the process environment, or a test's own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The options of every command that reaches a server: how to authenticate, whom to trust,
/// how long to wait.
#[derive(clap::Args, Debug)]
pub struct Access {
    /// How to authenticate: basic, ntlm, negotiate or kerberos with --user (the password
    /// comes from EWS_PASSWORD), kerberos without --user (the ticket of kinit), or bearer
    /// with --token or EWS_TOKEN. Default: basic with --user, else bearer when a token is
    /// given.
    #[arg(long, value_enum)]
    pub auth: Option<AuthKind>,
    /// The user for --auth basic, ntlm, negotiate or kerberos (DOMAIN\user, user@domain or
    /// user); the password comes from EWS_PASSWORD.
    #[arg(long)]
    pub user: Option<String>,
    /// The service principal name Kerberos asks a ticket for (default HTTP/<host of the
    /// URL>), as in HTTP/mail.contoso.com.
    #[arg(long)]
    pub spn: Option<String>,
    /// The KDC of the user's realm, HOST or HOST:PORT, tried before those krb5.conf and DNS
    /// name (for --auth kerberos or negotiate; the realm comes from --user).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub kdc: Option<String>,
    /// An OAuth 2.0 bearer token (without --user, EWS_TOKEN is used when set).
    #[arg(long)]
    pub token: Option<String>,
    /// Trust the root certificates in this PEM file (your organisation's certificate
    /// authority) besides the system's trust store and the bundled roots.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<String>,
    /// Accept any server certificate, unchecked. Only for test servers: anyone on the
    /// network path can then read and change the traffic, credentials included.
    #[arg(long)]
    pub danger_accept_invalid_certs: bool,
    /// Request timeout in seconds.
    #[arg(long, default_value_t = 100)]
    pub timeout: u64,
}

impl Access {
    /// `builder` with the credentials, TLS trust and timeout asked for.
    pub fn apply(&self, builder: ClientBuilder, env: Env<'_>) -> Result<ClientBuilder, String> {
        let mut builder = builder.timeout(Duration::from_secs(self.timeout));
        if let Some(spn) = &self.spn {
            builder = builder.spn(spn);
        }
        if let Some(kdc) = &self.kdc {
            use_kdc(kdc, self.user.as_deref())?;
        }
        let builder = with_credentials(
            builder,
            self.auth,
            self.user.as_deref(),
            self.token.as_deref(),
            env,
        )?;
        with_tls(
            builder,
            self.ca_cert.as_deref(),
            self.danger_accept_invalid_certs,
        )
    }
}

/// Parses `args` (the program name first). `--help` is written to `out` and ends the
/// command with status 0, a mistake is written to `err` and ends it with status 1: the
/// status comes back as the error. (`get_im_item_list` lets clap report its own mistakes.)
#[allow(dead_code)]
pub fn parse<A: clap::Parser>(
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<A, u8> {
    A::try_parse_from(args).map_err(|e| {
        let code = u8::from(e.exit_code() != 0);
        let _ = if code == 0 {
            write!(out, "{}", e.render())
        } else {
            write!(err, "{}", e.render())
        };
        code
    })
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
    /// Windows authentication as Windows does it: Kerberos first (in a build with the
    /// `kerberos` feature), NTLMv2 where Kerberos cannot be used; --user and EWS_PASSWORD.
    Negotiate,
    /// Kerberos only (a build with the `kerberos` feature): with --user and EWS_PASSWORD, or
    /// without --user the ticket in the credential cache (kinit, KRB5CCNAME).
    Kerberos,
}

/// Adds the credentials the command line asks for. `--auth basic|ntlm|negotiate` (and
/// `--user` alone, which means Basic) take the user from `--user` and the password from
/// `EWS_PASSWORD`; `EWS_TOKEN` is then not looked at. `--auth bearer`, and no `--user`,
/// take the token from `--token`, else from `EWS_TOKEN`. Without any, no credentials.
fn with_credentials(
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
    if token.is_some() {
        return Err(format!("--auth {name} takes --user, not --token"));
    }
    if kind == AuthKind::Kerberos && user.is_none() {
        return Ok(builder.kerberos_from_cache());
    }
    let user = user.ok_or_else(|| format!("--auth {name} needs --user"))?;
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
        AuthKind::Kerberos => builder.kerberos(user, password),
        AuthKind::Basic | AuthKind::Bearer => builder.basic_auth(user, password),
    })
}

/// Makes `kdc` the first KDC of the realm of `user` (`REALM\user` or `user@realm`) for the
/// system's Kerberos: a krb5.conf naming it, put before the ones `KRB5_CONFIG` named (or
/// /etc/krb5.conf) in the `KRB5_CONFIG` of this process. Kerberos reads its configuration
/// from the process environment only; a command sets it once, before its first call.
fn use_kdc(kdc: &str, user: Option<&str>) -> Result<(), String> {
    let realm = user
        .and_then(|user| {
            user.split_once('\\')
                .map(|(realm, _)| realm)
                .or_else(|| user.rsplit_once('@').map(|(_, realm)| realm))
        })
        .filter(|realm| !realm.is_empty())
        .ok_or("--kdc needs the realm from --user (user@REALM or REALM\\user)")?
        .to_uppercase();
    let file = std::env::temp_dir().join(format!("ews-krb5-{}.conf", std::process::id()));
    std::fs::write(
        &file,
        format!("[realms]\n {realm} = {{\n  kdc = {kdc}\n }}\n"),
    )
    .map_err(|e| {
        format!(
            "cannot write a krb5.conf for --kdc to {}: {e}",
            file.display()
        )
    })?;
    let rest = std::env::var("KRB5_CONFIG").unwrap_or_else(|_| "/etc/krb5.conf".to_owned());
    std::env::set_var("KRB5_CONFIG", format!("{}:{rest}", file.display()));
    Ok(())
}

/// Adds the TLS trust the command line asks for: the root certificates of the PEM file
/// `ca_cert`, and with `danger`, no certificate checks at all.
fn with_tls(
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
        Error::Timeout(limit) => format!(
            "no complete answer within {} s; raise the limit with --timeout SECONDS",
            limit.as_secs()
        ),
        other => other.to_string(),
    }
}

/// What Autodiscover finds for `email`, asking only `host` (`--autodiscover-host`) when given, with
/// the command line's credentials (for SOAP Autodiscover; v2 needs none) and TLS trust.
#[allow(dead_code)]
pub async fn discover(
    access: &Access,
    host: Option<&str>,
    email: &str,
    env: Env<'_>,
) -> Result<Discovered, String> {
    autodiscover(access, host, env)?
        .discover(email)
        .await
        .map_err(|e| e.to_string())
}

/// Autodiscover asking only `host` (`--autodiscover-host`) when given, with the command
/// line's credentials and TLS trust.
pub fn autodiscover(
    access: &Access,
    host: Option<&str>,
    env: Env<'_>,
) -> Result<Autodiscover, String> {
    let mut autodiscover = Autodiscover::new();
    if let Some(host) = host {
        autodiscover = match host.strip_prefix("http://") {
            Some(host) => autodiscover.host(host).allow_http(host),
            None => autodiscover.host(host.trim_start_matches("https://")),
        };
    }
    if let Some(file) = &access.ca_cert {
        let pem = std::fs::read(file)
            .map_err(|e| format!("cannot read the --ca-cert file {file}: {e}"))?;
        autodiscover = autodiscover.root_certificates_pem(pem);
    }
    if access.danger_accept_invalid_certs {
        autodiscover = autodiscover.danger_accept_invalid_certificates();
    }
    let password = env("EWS_PASSWORD").map(Secret::new);
    match (access.auth, &access.user, password) {
        (None | Some(AuthKind::Basic), Some(user), Some(password)) => {
            autodiscover = autodiscover.basic_auth(user.clone(), password);
        }
        (Some(AuthKind::Ntlm), Some(user), Some(password)) => {
            autodiscover = autodiscover.ntlm(user.clone(), password);
        }
        (Some(AuthKind::Negotiate), Some(user), Some(password)) => {
            autodiscover = autodiscover.negotiate(user.clone(), password);
        }
        (Some(AuthKind::Kerberos), Some(user), Some(password)) => {
            autodiscover = autodiscover.kerberos(user.clone(), password);
        }
        (Some(AuthKind::Kerberos), None, _) => {
            autodiscover = autodiscover.kerberos_from_cache();
        }
        (None | Some(AuthKind::Bearer), None, _) => {
            if let Some(token) = access.token.clone().or_else(|| env("EWS_TOKEN")) {
                autodiscover = autodiscover.bearer_token(Secret::new(token));
            }
        }
        _ => {}
    }
    Ok(autodiscover)
}
