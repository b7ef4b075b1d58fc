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

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::redirect::Policy;
use serde::{Deserialize, Serialize};

use crate::autodiscover::{
    self, AnyUserSetting, ErrorCode, GetUserSettingsRequest, GetUserSettingsRequestMessage,
    GetUserSettingsResponseMessage, User,
};
use crate::client::{Auth, ClientBuilder, Secret};
use crate::soap::SOAP_ENVELOPE;
use crate::types::ExchangeVersion;
use crate::xml::{Namespace, XmlReader, XmlWriter};

/// The most redirections (`RedirectAddress`, `RedirectUrl`, HTTP redirects) one discovery
/// follows.
pub const MAX_REDIRECTS: usize = 10;

/// The settings asked for with SOAP Autodiscover.
const SETTINGS: [&str; 3] = ["ExternalEwsUrl", "InternalEwsUrl", "EwsSupportedSchemas"];

static WS_ADDRESSING: Namespace = Namespace {
    uri: "http://www.w3.org/2005/08/addressing",
    prefix: "wsa",
};

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
    /// No credentials, the candidate hosts of the address's domain, `https` only, the
    /// bundled and platform roots trusted, 30 s per request.
    pub fn new() -> Self {
        Autodiscover {
            settings: ClientBuilder::new("").timeout(Duration::from_secs(30)),
            host: None,
            allow_http: Vec::new(),
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
        let http = reqwest::Client::builder()
            .timeout(self.settings.request_timeout())
            .redirect(Policy::none())
            .use_preconfigured_tls((*tls).clone())
            .build()
            .map_err(|e| {
                let attempt = Attempt {
                    url: "(HTTP client)".to_owned(),
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
                Step::Json(base) => self.json(&http, base, &email).await,
                Step::Soap(url) => self.soap(&http, &tls, url, &email).await,
                Step::Probe(url) => self.probe(&http, url).await,
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
            vec![
                Step::Json(base(host)),
                Step::Soap(format!("{}/autodiscover/autodiscover.svc", base(host))),
            ]
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
        if json_too {
            steps.push(Step::Json(parsed.origin().ascii_serialization()));
        }
        steps.push(Step::Soap(format!(
            "{}/autodiscover/autodiscover.svc",
            parsed.origin().ascii_serialization()
        )));
        Ok(steps)
    }

    async fn json(&self, http: &reqwest::Client, base: &str, email: &str) -> Outcome {
        let url = Step::Json(base.to_owned()).url(email);
        let response = match http.get(&url).send().await {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(reason(e)),
        };
        let status = response.status();
        if status.is_redirection() {
            return self.follow(location(&response), true);
        }
        if !status.is_success() {
            return Outcome::Failed(format!("HTTP status {}", status.as_u16()));
        }
        #[derive(Deserialize)]
        struct V2 {
            #[serde(rename = "Url")]
            url: Option<String>,
        }
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) => return Outcome::Failed(reason(e)),
        };
        match serde_json::from_str::<V2>(&text) {
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

    async fn probe(&self, http: &reqwest::Client, url: &str) -> Outcome {
        let response = match http.get(url).send().await {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(reason(e)),
        };
        if response.status().is_redirection() {
            return self.follow(location(&response), false);
        }
        Outcome::Failed(format!(
            "HTTP status {} instead of a redirect to https",
            response.status().as_u16()
        ))
    }

    async fn soap(
        &self,
        http: &reqwest::Client,
        tls: &Arc<rustls::ClientConfig>,
        url: &str,
        email: &str,
    ) -> Outcome {
        const ACTION: &str =
            "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettings";
        let body = request_envelope(url, email);
        let (status, location, bytes) = match self.settings.auth() {
            // Windows authentication runs on the client's own connections.
            Auth::Ntlm { .. }
            | Auth::Negotiate { .. }
            | Auth::Kerberos { .. }
            | Auth::KerberosCache => {
                let answer = match self.settings.clone().at(url).build_with(Arc::clone(tls)) {
                    Ok(client) => client.post(&body, ACTION, None).await,
                    Err(e) => Err(e),
                };
                match answer {
                    Ok(raw) => (raw.status, raw.location, raw.body),
                    Err(e) => return Outcome::Failed(e.to_string()),
                }
            }
            auth => {
                let mut request = http
                    .post(url)
                    .header(CONTENT_TYPE, "text/xml; charset=utf-8")
                    .header("SOAPAction", format!("\"{ACTION}\""))
                    .body(body);
                request = match auth {
                    Auth::Basic { username, password } => {
                        request.basic_auth(username, Some(password.expose()))
                    }
                    Auth::Bearer(token) => request.bearer_auth(token.expose()),
                    _ => request,
                };
                let response = match request.send().await {
                    Ok(r) => r,
                    Err(e) => return Outcome::Failed(reason(e)),
                };
                let status = response.status().as_u16();
                let location = location(&response).map(str::to_owned);
                match response.bytes().await {
                    Ok(b) => (status, location, b.to_vec()),
                    Err(e) => return Outcome::Failed(reason(e)),
                }
            }
        };
        if (300..400).contains(&status) {
            return self.follow(location.as_deref(), false);
        }
        if status == 401 {
            return Outcome::Failed(match self.settings.auth() {
                Auth::None => "HTTP 401: credentials needed".to_owned(),
                _ => "HTTP 401: the credentials were refused".to_owned(),
            });
        }
        if !(200..300).contains(&status) {
            return Outcome::Failed(format!("HTTP status {status}"));
        }
        let message = match read_response(&bytes) {
            Ok(m) => m,
            Err(e) => return Outcome::Failed(format!("not a GetUserSettings answer: {e}")),
        };
        self.interpret(message, url, email)
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

/// The GetUserSettings request envelope for `email`, sent to `url`.
fn request_envelope(url: &str, email: &str) -> String {
    let soap = Some(&SOAP_ENVELOPE);
    let a = Some(&autodiscover::NAMESPACE);
    let wsa = Some(&WS_ADDRESSING);
    let mut w = XmlWriter::new().with_namespaces(&[
        &SOAP_ENVELOPE,
        &autodiscover::NAMESPACE,
        &WS_ADDRESSING,
    ]);
    w.declaration();
    w.start(soap, "Envelope");
    w.start(soap, "Header");
    w.value_element(
        a,
        "RequestedServerVersion",
        &autodiscover::ExchangeVersion::Exchange2013,
    );
    w.value_element(
        wsa,
        "Action",
        &"http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettings"
            .to_owned(),
    );
    w.value_element(wsa, "To", &url.to_owned());
    w.end(soap, "Header");
    w.start(soap, "Body");
    let message = GetUserSettingsRequestMessage {
        request: GetUserSettingsRequest {
            users: vec![User {
                mailbox: email.into(),
            }],
            requested_settings: SETTINGS.iter().map(|s| (*s).into()).collect(),
            requested_version: None,
        },
    };
    w.element(a, "GetUserSettingsRequestMessage", &message);
    w.end(soap, "Body");
    w.end(soap, "Envelope");
    w.into_string()
}

/// The GetUserSettings response in a SOAP envelope.
fn read_response(xml: &[u8]) -> Result<GetUserSettingsResponseMessage, String> {
    static TABLE: [&Namespace; 2] = [&SOAP_ENVELOPE, &autodiscover::NAMESPACE];
    let mut r = XmlReader::from_bytes(xml)
        .map_err(|e| e.to_string())?
        .with_namespaces(&TABLE);
    let envelope = r.root().map_err(|e| e.to_string())?;
    if !envelope.is(&SOAP_ENVELOPE, "Envelope") {
        return Err(format!(
            "the root is {}, not a SOAP envelope",
            envelope.expanded_name()
        ));
    }
    let mut message = None;
    while let Some(part) = r.next_child(&envelope).map_err(|e| e.to_string())? {
        if !part.is(&SOAP_ENVELOPE, "Body") {
            r.skip(part).map_err(|e| e.to_string())?;
            continue;
        }
        while let Some(element) = r.next_child(&part).map_err(|e| e.to_string())? {
            if element.is(&autodiscover::NAMESPACE, "GetUserSettingsResponseMessage") {
                message = Some(r.read(element).map_err(|e| e.to_string())?);
            } else {
                let name = element.expanded_name();
                r.skip(element).map_err(|e| e.to_string())?;
                return Err(format!("the body holds {name}"));
            }
        }
    }
    r.finish().map_err(|e| e.to_string())?;
    message.ok_or_else(|| "the body holds no GetUserSettingsResponseMessage".to_owned())
}

/// The `Location` of a redirect.
fn location(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
}

/// A transport error in the user's terms (the URL is already named beside it).
fn reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
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
