//! Autodiscover: from an e-mail address to the EWS URL, as Exchange clients find it.
//!
//! For each candidate host, Autodiscover v2 (`GET /autodiscover/autodiscover.json/v1.0/{email}?Protocol=EWS`,
//! JSON) is asked first, then SOAP Autodiscover (`GetUserSettings` at
//! `/autodiscover/autodiscover.svc`, which also tells the EWS versions the server
//! supports). The candidates are the e-mail's domain, then `autodiscover.{domain}`, then
//! the unauthenticated `http://autodiscover.{domain}/autodiscover/autodiscover.xml` probe,
//! whose redirect is followed only to `https`; or only the host given with
//! [`Autodiscover::host`]. `RedirectAddress` (another address to ask for) and `RedirectUrl`
//! (another Autodiscover URL) are followed at most [`MAX_REDIRECTS`] times and never twice
//! to the same place. Everything is `https` unless a host is allowed plain `http`
//! ([`Autodiscover::allow_http`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::autodiscover::{
    AnyUserSetting, ErrorCode, GetUserSettingsRequest, GetUserSettingsRequestMessage,
    GetUserSettingsResponseMessage, User,
};
use crate::client::{ClientBuilder, Payload, RawResponse, Secret};
use crate::error::Error;
use crate::soap;
use crate::types::ExchangeVersion;
use crate::xml::Limits;

/// The most redirections (`RedirectAddress`, `RedirectUrl`, HTTP redirects) one discovery
/// follows.
pub const MAX_REDIRECTS: usize = 10;

/// The settings asked for with SOAP Autodiscover.
const SETTINGS: [&str; 3] = ["ExternalEwsUrl", "InternalEwsUrl", "EwsSupportedSchemas"];

/// What Autodiscover found: a plain value to cache (serde `Serialize`, and `Deserialize`
/// with the `deserialize` feature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "deserialize", derive(Deserialize))]
pub struct Discovered {
    /// The EWS endpoint (`https://mail.contoso.com/EWS/Exchange.asmx`).
    pub ews_url: String,
    /// The newest EWS version the server says it supports (SOAP Autodiscover's
    /// `EwsSupportedSchemas`), to send as RequestServerVersion; `None` when Autodiscover v2
    /// answered, which does not tell.
    pub version: Option<ExchangeVersion>,
    /// The settings read, by name (SOAP Autodiscover only).
    pub settings: BTreeMap<String, String>,
    /// The e-mail address the answer is for (another one after `RedirectAddress`).
    pub email: String,
    /// The Autodiscover URL that answered.
    pub answered_by: String,
}

/// A URL tried, and why it gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The URL.
    pub url: String,
    /// What happened.
    pub reason: String,
}

/// Why Autodiscover found no EWS URL: every URL tried and what each gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryError {
    /// The address asked for.
    pub email: String,
    /// The URLs tried, in order, with what each gave.
    pub attempts: Vec<Attempt>,
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Autodiscover found no EWS URL for {}", self.email)?;
        for a in &self.attempts {
            write!(f, "\n  {}: {}", a.url, a.reason)?;
        }
        write!(
            f,
            "\ngive the EWS URL directly, or ask a known server with Autodiscover::host \
             (--autodiscover-host)"
        )
    }
}

impl std::error::Error for DiscoveryError {}

/// Settings for a discovery, builder style.
#[derive(Debug, Clone)]
pub struct Autodiscover {
    /// Credentials, TLS trust and timeout, kept as a client's settings: SOAP Autodiscover
    /// requests with Windows authentication go through a client at each URL.
    settings: ClientBuilder,
    host: Option<String>,
    allow_http: Vec<String>,
    /// Settings asked for besides those giving the EWS URL and version.
    user_settings: Vec<String>,
}

impl Default for Autodiscover {
    fn default() -> Self {
        Self::new()
    }
}

/// Where to ask next.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// Autodiscover v2 at a base URL (`https://host`).
    Json(String),
    /// SOAP Autodiscover at its full URL.
    Soap(String),
    /// The unauthenticated http probe at its full URL.
    Probe(String),
}

/// What one step gave.
enum Outcome {
    Found(Discovered),
    /// Ask for another address (RedirectAddress).
    Address(String),
    /// Ask this URL instead (RedirectUrl, an HTTP redirect, the probe's target).
    Redirect(Vec<Step>),
    Failed(String),
}

impl Autodiscover {
    /// Asks SOAP Autodiscover for the settings `names` too (`PublicFolderInformation`,
    /// `InternalRpcClientServer`, `AutoDiscoverSMTPAddress`, …): those the server has come
    /// in [`Discovered::settings`]. Autodiscover v2, which tells the EWS URL alone, is then
    /// not asked.
    pub fn user_settings<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.user_settings.extend(names.into_iter().map(Into::into));
        self
    }

    /// No credentials, the candidate hosts of the address's domain, `https` only, the
    /// bundled and platform roots trusted, 30 s per request.
    pub fn new() -> Self {
        Autodiscover {
            settings: ClientBuilder::new("")
                .timeout(Duration::from_secs(30))
                .without_redirects(),
            host: None,
            allow_http: Vec::new(),
            user_settings: Vec::new(),
        }
    }

    /// Authenticates SOAP Autodiscover with HTTP Basic (Autodiscover v2 is asked without
    /// credentials, as servers expect).
    pub fn basic_auth(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.settings = self.settings.basic_auth(username, password);
        self
    }

    /// Authenticates SOAP Autodiscover with Windows authentication (NTLMv2), as
    /// [`ClientBuilder::ntlm`] does for EWS.
    pub fn ntlm(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.settings = self.settings.ntlm(username, password);
        self
    }

    /// Authenticates SOAP Autodiscover in the `Negotiate` scheme, as
    /// [`ClientBuilder::negotiate`] does (Kerberos first with the `kerberos` feature).
    pub fn negotiate(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.settings = self.settings.negotiate(username, password);
        self
    }

    /// Authenticates SOAP Autodiscover with Kerberos, as [`ClientBuilder::kerberos`] does.
    pub fn kerberos(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.settings = self.settings.kerberos(username, password);
        self
    }

    /// Authenticates SOAP Autodiscover with the ticket in the credential cache, as
    /// [`ClientBuilder::kerberos_from_cache`] does.
    pub fn kerberos_from_cache(mut self) -> Self {
        self.settings = self.settings.kerberos_from_cache();
        self
    }

    /// Authenticates SOAP Autodiscover with an OAuth 2.0 bearer token.
    pub fn bearer_token(mut self, token: Secret) -> Self {
        self.settings = self.settings.bearer_token(token);
        self
    }

    /// Asks only `host` (`mail.contoso.com`, or with a port), instead of the candidates of
    /// the address's domain.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Allows plain `http` for `host` (`name` or `name:port`), for test servers.
    pub fn allow_http(mut self, host: impl Into<String>) -> Self {
        self.allow_http.push(host.into());
        self
    }

    /// Trusts the root certificates in `pem`, as [`ClientBuilder::root_certificates_pem`].
    pub fn root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.settings = self.settings.root_certificates_pem(pem);
        self
    }

    /// Accepts any server certificate, as
    /// [`ClientBuilder::danger_accept_invalid_certificates`].
    pub fn danger_accept_invalid_certificates(mut self) -> Self {
        self.settings = self.settings.danger_accept_invalid_certificates();
        self
    }

    /// Sets the timeout of each request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings = self.settings.timeout(timeout);
        self
    }

    /// Finds the EWS URL of `email`. Needs a Tokio runtime.
    pub async fn discover(&self, email: &str) -> Result<Discovered, DiscoveryError> {
        let mut email = email.trim().to_owned();
        let mut attempts = Vec::new();
        let fail = |email: &str, attempts: Vec<Attempt>| DiscoveryError {
            email: email.to_owned(),
            attempts,
        };
        let tls = self.settings.tls().map_err(|e| {
            let attempt = Attempt {
                url: "(TLS settings)".to_owned(),
                reason: e.to_string(),
            };
            fail(&email, vec![attempt])
        })?;
        let mut queue = match self.candidates(&email) {
            Ok(steps) => steps,
            Err(reason) => {
                let attempt = Attempt {
                    url: email.clone(),
                    reason,
                };
                return Err(fail(&email, vec![attempt]));
            }
        };
        let mut seen: Vec<(String, Step)> = Vec::new();
        let mut redirects = 0;
        while !queue.is_empty() {
            let step = queue.remove(0);
            if seen.contains(&(email.clone(), step.clone())) {
                attempts.push(Attempt {
                    url: step.url(&email),
                    reason: "asked before: a redirect loop".to_owned(),
                });
                continue;
            }
            seen.push((email.clone(), step.clone()));
            let url = step.url(&email);
            tracing::debug!(%url, "asking Autodiscover");
            let outcome = match &step {
                Step::Json(base) => self.json(&tls, base, &email).await,
                Step::Soap(url) => self.soap(&tls, url, &email).await,
                Step::Probe(url) => self.probe(&tls, url).await,
            };
            let redirect = |what: String, attempts: &mut Vec<Attempt>, redirects: &mut usize| {
                *redirects += 1;
                attempts.push(Attempt {
                    url: url.clone(),
                    reason: what,
                });
                *redirects <= MAX_REDIRECTS
            };
            match outcome {
                Outcome::Found(found) => return Ok(found),
                Outcome::Failed(reason) => attempts.push(Attempt { url, reason }),
                Outcome::Address(next) => {
                    if !redirect(
                        format!("redirected to the address {next}"),
                        &mut attempts,
                        &mut redirects,
                    ) {
                        break;
                    }
                    email = next;
                    queue = match self.candidates(&email) {
                        Ok(steps) => steps,
                        Err(reason) => {
                            attempts.push(Attempt {
                                url: email.clone(),
                                reason,
                            });
                            Vec::new()
                        }
                    };
                }
                Outcome::Redirect(steps) => {
                    let to = steps.first().map(|s| s.url(&email)).unwrap_or_default();
                    if !redirect(format!("redirected to {to}"), &mut attempts, &mut redirects) {
                        break;
                    }
                    queue = steps.into_iter().chain(queue).collect();
                }
            }
        }
        if redirects > MAX_REDIRECTS {
            attempts.push(Attempt {
                url: email.clone(),
                reason: format!("more than {MAX_REDIRECTS} redirections; stopped"),
            });
        }
        Err(fail(&email, attempts))
    }

    /// The steps for `email`: the known host's, or the domain's candidates.
    fn candidates(&self, email: &str) -> Result<Vec<Step>, String> {
        let domain = match email.rsplit_once('@') {
            Some((user, domain)) if !user.is_empty() && !domain.is_empty() => domain,
            _ => return Err(format!("{email:?} is not an e-mail address")),
        };
        let base = |host: &str| format!("{}://{host}", self.scheme(host));
        let both = |host: &str| {
            let soap = Step::Soap(format!("{}/autodiscover/autodiscover.svc", base(host)));
            match self.user_settings.is_empty() {
                true => vec![Step::Json(base(host)), soap],
                false => vec![soap],
            }
        };
        if let Some(host) = &self.host {
            return Ok(both(host));
        }
        let autodiscover = format!("autodiscover.{domain}");
        let mut steps = both(domain);
        steps.extend(both(&autodiscover));
        steps.push(Step::Probe(format!(
            "http://{autodiscover}/autodiscover/autodiscover.xml"
        )));
        Ok(steps)
    }

    fn scheme(&self, host: &str) -> &'static str {
        if self.allow_http.iter().any(|h| h == host) {
            "http"
        } else {
            "https"
        }
    }

    /// Whether `url` may be asked: `https`, or `http` to an allowed host.
    fn allowed(&self, url: &reqwest::Url) -> bool {
        match url.scheme() {
            "https" => true,
            "http" => {
                let host = url.host_str().unwrap_or_default();
                let with_port = match url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_owned(),
                };
                self.allow_http
                    .iter()
                    .any(|h| *h == host || *h == with_port)
            }
            _ => false,
        }
    }

    /// The steps at the host of `url` (after a redirect to it), or why not.
    fn at(&self, url: &str, json_too: bool) -> Result<Vec<Step>, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("redirect to {url:?}: {e}"))?;
        if !self.allowed(&parsed) {
            return Err(format!(
                "redirected to {url}, which is not https; refused (allow_http allows a host)"
            ));
        }
        let mut steps = Vec::new();
        if json_too && self.user_settings.is_empty() {
            steps.push(Step::Json(parsed.origin().ascii_serialization()));
        }
        steps.push(Step::Soap(format!(
            "{}/autodiscover/autodiscover.svc",
            parsed.origin().ascii_serialization()
        )));
        Ok(steps)
    }

    /// Sends a request to `url` carrying `payload`, with the credentials if `credentials`,
    /// as a client of that URL would (redirects handed back): the answer if its status is
    /// 2xx or a redirect, else the error it is.
    async fn fetch(
        &self,
        tls: &Arc<rustls::ClientConfig>,
        url: &str,
        payload: Payload<'_>,
        credentials: bool,
    ) -> Result<RawResponse, Error> {
        let settings = self.settings.clone().at(url);
        let settings = match credentials {
            true => settings,
            false => settings.anonymous(),
        };
        let transport = settings.transport(Arc::clone(tls))?;
        let raw = transport.send(transport.endpoint(), payload).await?;
        match raw.status {
            200..=399 => Ok(raw),
            status => Err(transport.status_error(status, &raw.challenges, &raw.body)),
        }
    }

    async fn json(&self, tls: &Arc<rustls::ClientConfig>, base: &str, email: &str) -> Outcome {
        let url = Step::Json(base.to_owned()).url(email);
        let raw = match self.fetch(tls, &url, Payload::Get, false).await {
            Ok(raw) => raw,
            Err(Error::Unauthorized { .. }) => {
                return Outcome::Failed(
                    "HTTP 401: Autodiscover v2 asks for credentials, which it is not sent"
                        .to_owned(),
                )
            }
            Err(e) => return Outcome::Failed(reason(e)),
        };
        if (300..400).contains(&raw.status) {
            return self.follow(raw.location.as_deref(), true);
        }
        #[derive(Deserialize)]
        struct V2 {
            #[serde(rename = "Url")]
            url: Option<String>,
        }
        match serde_json::from_slice::<V2>(&raw.body) {
            Ok(V2 { url: Some(ews_url) })
                if ews_url.starts_with("https://") || self.allowed_str(&ews_url) =>
            {
                Outcome::Found(Discovered {
                    ews_url,
                    version: None,
                    settings: BTreeMap::new(),
                    email: email.to_owned(),
                    answered_by: url,
                })
            }
            Ok(V2 { url: Some(other) }) => {
                Outcome::Failed(format!("the EWS URL {other} is not https; refused"))
            }
            Ok(V2 { url: None }) => Outcome::Failed("the answer holds no Url".to_owned()),
            Err(e) => Outcome::Failed(format!("not an Autodiscover v2 answer: {e}")),
        }
    }

    fn allowed_str(&self, url: &str) -> bool {
        reqwest::Url::parse(url).is_ok_and(|u| self.allowed(&u))
    }

    /// The next steps after an HTTP redirect to `location`.
    fn follow(&self, location: Option<&str>, json_too: bool) -> Outcome {
        let Some(location) = location else {
            return Outcome::Failed("a redirect without a Location".to_owned());
        };
        match self.at(location, json_too) {
            Ok(steps) => Outcome::Redirect(steps),
            Err(reason) => Outcome::Failed(reason),
        }
    }

    async fn probe(&self, tls: &Arc<rustls::ClientConfig>, url: &str) -> Outcome {
        match self.fetch(tls, url, Payload::Get, false).await {
            Ok(raw) if (300..400).contains(&raw.status) => {
                self.follow(raw.location.as_deref(), false)
            }
            Ok(raw) => Outcome::Failed(format!(
                "HTTP status {} instead of a redirect to https",
                raw.status
            )),
            Err(e) => Outcome::Failed(reason(e)),
        }
    }

    async fn soap(&self, tls: &Arc<rustls::ClientConfig>, url: &str, email: &str) -> Outcome {
        let request = GetUserSettingsRequestMessage {
            request: GetUserSettingsRequest {
                users: vec![User {
                    mailbox: email.into(),
                }],
                requested_settings: SETTINGS
                    .iter()
                    .copied()
                    .chain(self.user_settings.iter().map(String::as_str))
                    .map(Into::into)
                    .collect(),
                requested_version: None,
            },
        };
        let body = soap::write_get_user_settings(url, &request);
        let payload = Payload::Soap {
            body: &body,
            action: soap::GET_USER_SETTINGS_ACTION,
            anchor: None,
            public_folder_mailbox: None,
            prefer_affinity: false,
        };
        let raw = match self.fetch(tls, url, payload, true).await {
            Ok(raw) => raw,
            Err(e) => return Outcome::Failed(reason(e)),
        };
        if (300..400).contains(&raw.status) {
            return self.follow(raw.location.as_deref(), false);
        }
        match soap::read_get_user_settings(&raw.body, &Limits::default()) {
            Ok(message) => self.interpret(message, url, email),
            Err(e) => Outcome::Failed(format!("not a GetUserSettings answer: {e}")),
        }
    }

    fn interpret(
        &self,
        message: GetUserSettingsResponseMessage,
        url: &str,
        email: &str,
    ) -> Outcome {
        let response = message.response;
        if let Some(code) = response.error_code.filter(|c| *c != ErrorCode::NoError) {
            return Outcome::Failed(format!(
                "{code:?}{}",
                response
                    .error_message
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ));
        }
        let Some(user) = response.user_responses.and_then(|u| u.into_iter().next()) else {
            return Outcome::Failed("the answer holds no UserResponse".to_owned());
        };
        let target = user.redirect_target.unwrap_or_default();
        match user.error_code {
            Some(ErrorCode::RedirectAddress) if !target.is_empty() => {
                return Outcome::Address(target.to_string())
            }
            Some(ErrorCode::RedirectUrl) if !target.is_empty() => {
                return match self.allowed_str(&target) {
                    true => Outcome::Redirect(vec![Step::Soap(target.to_string())]),
                    false => Outcome::Failed(format!(
                        "RedirectUrl to {target}, which is not https; refused"
                    )),
                }
            }
            Some(ErrorCode::NoError) | None => {}
            Some(code) => {
                return Outcome::Failed(format!(
                    "{code:?}{}",
                    user.error_message
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ))
            }
        }
        let settings: BTreeMap<String, String> = user
            .user_settings
            .into_iter()
            .flatten()
            .filter_map(|s| match s {
                AnyUserSetting::StringSetting(s) => {
                    Some((s.name.to_string(), s.value.map(|v| v.to_string())?))
                }
                _ => None,
            })
            .collect();
        let ews_url = ["ExternalEwsUrl", "InternalEwsUrl"]
            .iter()
            .find_map(|name| settings.get(*name).filter(|u| !u.is_empty()))
            .cloned();
        let Some(ews_url) = ews_url else {
            return Outcome::Failed(
                "the answer holds neither ExternalEwsUrl nor InternalEwsUrl".to_owned(),
            );
        };
        let version = settings
            .get("EwsSupportedSchemas")
            .and_then(|list| newest_version(list));
        Outcome::Found(Discovered {
            ews_url,
            version,
            settings,
            email: email.to_owned(),
            answered_by: url.to_owned(),
        })
    }
}

impl Step {
    /// The URL this step asks.
    fn url(&self, email: &str) -> String {
        match self {
            Step::Json(base) => {
                format!("{base}/autodiscover/autodiscover.json/v1.0/{email}?Protocol=EWS")
            }
            Step::Soap(url) | Step::Probe(url) => url.clone(),
        }
    }
}

/// The newest version of a list such as `Exchange2007, Exchange2010, Exchange2013_SP1`
/// that the bindings know.
fn newest_version(list: &str) -> Option<ExchangeVersion> {
    list.split(',')
        .filter_map(|v| v.trim().parse::<ExchangeVersion>().ok())
        .filter(|v| !matches!(v, ExchangeVersion::Other(_)))
        .max_by_key(|v| {
            ExchangeVersion::VALUES
                .iter()
                .position(|known| *known == v.as_str())
        })
}

/// Why a request gave no answer, for the list of attempts: the status alone for an HTTP
/// error (the endpoint's hints and the body say nothing of Autodiscover), else the error.
fn reason(e: Error) -> String {
    match e {
        Error::Http { status, .. } => format!("HTTP status {status}"),
        e => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_known_version_is_picked() {
        assert_eq!(
            newest_version("Exchange2007, Exchange2010_SP2, Exchange2013, Exchange2099"),
            Some(ExchangeVersion::Exchange2013)
        );
        assert_eq!(newest_version("nothing"), None);
    }

    #[test]
    fn the_candidates_are_the_domain_then_autodiscover_then_the_probe() {
        let steps = Autodiscover::new().candidates("alice@contoso.com").unwrap();
        let urls: Vec<String> = steps.iter().map(|s| s.url("alice@contoso.com")).collect();
        assert_eq!(
            urls,
            [
                "https://contoso.com/autodiscover/autodiscover.json/v1.0/alice@contoso.com?Protocol=EWS",
                "https://contoso.com/autodiscover/autodiscover.svc",
                "https://autodiscover.contoso.com/autodiscover/autodiscover.json/v1.0/alice@contoso.com?Protocol=EWS",
                "https://autodiscover.contoso.com/autodiscover/autodiscover.svc",
                "http://autodiscover.contoso.com/autodiscover/autodiscover.xml",
            ]
        );
        assert!(Autodiscover::new().candidates("not-an-address").is_err());
    }
}
