//! Windows authentication on the transport's own connections: NTLM's two legs, SPNEGO's
//! Kerberos legs (and NTLM standing in), each connection authenticated once and reused.

#[cfg(feature = "kerberos")]
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;

use super::binding::Binding;
use super::connection::{Connection, ConnectionError, Connections, RawResponse, Read};
#[cfg(feature = "kerberos")]
use super::kerberos;
use super::ntlm::{self, Scheme};
use super::settings::{Secret, Windows};
#[cfg(feature = "kerberos")]
use super::spnego;
use super::transport::Transport;
use crate::error::Error;
#[cfg(feature = "kerberos")]
use crate::error::KerberosFailure;

impl Transport {
    /// Sends a request on a connection Windows authentication authenticated: an
    /// authenticated one if one waits, else a new one after a handshake (its legs carry
    /// the request too), the answers read as `read` says. A reused connection that gets a
    /// 401 is authenticated again; one the server closed in the meantime is replaced. A
    /// connection whose answer is still being read as a stream is not reused.
    pub(super) async fn windows_exchange(
        &self,
        connections: &Connections,
        windows: Windows<'_>,
        read: Read,
        request: impl Fn(Option<&str>) -> hyper::Request<Full<Bytes>>,
    ) -> Result<RawResponse, Error> {
        let mut connection = connections
            .checkout()
            .await
            .map_err(|e| self.connection_error(e))?;
        if connection.authenticated {
            match connection.exchange(request(None), read).await {
                Ok(raw) if raw.status != 401 => {
                    if raw.rest.is_none() {
                        connections.give_back(connection);
                    }
                    return Ok(raw);
                }
                Ok(_) => {
                    tracing::debug!("the connection is no longer authenticated");
                    connection.authenticated = false;
                }
                Err(ConnectionError::TooLarge) => {
                    return Err(self.connection_error(ConnectionError::TooLarge))
                }
                Err(ConnectionError::Io(error)) => {
                    tracing::debug!(%error, "the connection closed; opening another");
                    connection = connections
                        .connect()
                        .await
                        .map_err(|e| self.connection_error(e))?;
                }
            }
        }
        let raw = match windows {
            Windows::Ntlm {
                user,
                password,
                scheme,
            } => {
                self.ntlm_handshake(&mut connection, user, password, scheme, read, &request)
                    .await?
            }
            #[cfg(feature = "kerberos")]
            Windows::Spnego { who, ntlm } => {
                self.spnego_handshake(&mut connection, who, ntlm, read, &request)
                    .await?
            }
        };
        if raw.status == 401 {
            if let Binding::Unavailable(reason) = &connection.binding {
                return Err(Error::ChannelBindingUnavailable {
                    host: self.host(),
                    reason: reason.clone(),
                });
            }
        }
        if raw.status != 401 {
            connection.authenticated = true;
            if raw.rest.is_none() {
                connections.give_back(connection);
            }
        }
        Ok(raw)
    }

    /// The two legs of the NTLM handshake on `connection`: the answer to the second, or to
    /// the first when the server does not ask for authentication.
    async fn ntlm_handshake(
        &self,
        connection: &mut Connection,
        user: &str,
        password: &Secret,
        scheme: Scheme,
        read: Read,
        request: &impl Fn(Option<&str>) -> hyper::Request<Full<Bytes>>,
    ) -> Result<RawResponse, Error> {
        tracing::debug!(scheme = scheme.name(), "authenticating the connection");
        let negotiate = ntlm::negotiate(scheme);
        let first = connection
            .exchange(request(Some(&negotiate)), read)
            .await
            .map_err(|e| self.connection_error(e))?;
        if first.status != 401 {
            return Ok(first);
        }
        let challenge = match ntlm::challenge(scheme, first.challenges.iter().map(String::as_str)) {
            Ok(challenge) => challenge,
            Err(ntlm::HandshakeError::NoChallenge) => return Ok(first),
            Err(ntlm::HandshakeError::BadChallenge(reason)) => {
                return Err(Error::Handshake {
                    host: self.host(),
                    reason: format!("the server's challenge cannot be read: {reason}"),
                })
            }
        };
        let binding = connection.binding.ntlm_hash();
        let authenticate = ntlm::authenticate(scheme, &challenge, user, password.expose(), binding);
        connection
            .exchange(request(Some(&authenticate)), read)
            .await
            .map_err(|e| self.connection_error(e))
    }

    /// The SPNEGO handshake on `connection`, as many legs as it takes: the answer to the
    /// last. The server's final token, if it sends one, is checked (mutual authentication).
    /// With `ntlm`, NTLM stands in where Kerberos cannot be used, and for a server that
    /// offers only NTLM.
    #[cfg(feature = "kerberos")]
    async fn spnego_handshake(
        &self,
        connection: &mut Connection,
        who: kerberos::Who<'_>,
        ntlm: Option<(&str, &Secret)>,
        read: Read,
        request: &impl Fn(Option<&str>) -> hyper::Request<Full<Bytes>>,
    ) -> Result<RawResponse, Error> {
        use base64::engine::general_purpose::STANDARD as BASE64;
        use base64::Engine;
        use kerberos::Step;

        /// The most legs a Kerberos handshake takes.
        const LEGS: usize = 3;
        tracing::debug!(spn = %self.spn, "authenticating the connection (Kerberos in SPNEGO)");
        let failed = |failure| Error::Kerberos {
            host: self.host(),
            failure,
        };
        let started = self.spnego_start(who, &connection.binding).await;
        let (mut handshake, mut step) = match (started, ntlm) {
            (Ok(started), _) => started,
            (Err(failure), Some((user, password))) if failure.allows_ntlm() => {
                tracing::debug!(%failure, "Kerberos cannot be used; NTLM stands in");
                let answer = self
                    .ntlm_handshake(connection, user, password, Scheme::Negotiate, read, request)
                    .await?;
                let offers = |scheme: &str| ntlm::offers(scheme, &answer.challenges);
                if answer.status == 401 && offers("NTLM") && !offers("Negotiate") {
                    return self
                        .ntlm_handshake(connection, user, password, Scheme::Ntlm, read, request)
                        .await;
                }
                return Ok(answer);
            }
            (Err(failure), _) => return Err(failed(failure)),
        };
        for leg in 0..LEGS {
            let (token, done) = match step {
                Step::Continue(token) => (token, false),
                Step::Done(Some(token)) => (token, true),
                Step::Done(None) => break,
            };
            let token = match leg {
                0 => spnego::init(&token),
                _ => spnego::next(&token),
            };
            let authorization = format!("Negotiate {}", BASE64.encode(token));
            let answer = connection
                .exchange(request(Some(&authorization)), read)
                .await
                .map_err(|e| self.connection_error(e))?;
            let unreadable = |reason: String| Error::Handshake {
                host: self.host(),
                reason,
            };
            let server_token = match ntlm::token("Negotiate", &answer.challenges) {
                Some(token) => {
                    let bytes = BASE64.decode(token).map_err(|e| {
                        unreadable(format!("the server's Negotiate token is not base64: {e}"))
                    })?;
                    spnego::answer(&bytes).map_err(unreadable)?
                }
                None => None,
            };
            if answer.status != 401 {
                if let Some(token) = server_token {
                    kerberos_blocking(handshake, move |h| h.finish(&token))
                        .await
                        .map_err(failed)?;
                }
                return Ok(answer);
            }
            let Some(token) = server_token.filter(|_| !done) else {
                let offers = |scheme: &str| ntlm::offers(scheme, &answer.challenges);
                if offers("NTLM") && !offers("Negotiate") {
                    return match ntlm {
                        Some((user, password)) => {
                            self.ntlm_handshake(
                                connection,
                                user,
                                password,
                                Scheme::Ntlm,
                                read,
                                request,
                            )
                            .await
                        }
                        None => Err(failed(KerberosFailure::NotOffered {
                            offered: answer.challenges.join(", "),
                        })),
                    };
                }
                return Ok(answer);
            };
            (handshake, step) = kerberos_blocking(handshake, move |h| h.step(Some(&token)))
                .await
                .map_err(failed)?;
        }
        Err(Error::Handshake {
            host: self.host(),
            reason: "the server's Negotiate handshake does not come to an end".to_owned(),
        })
    }

    /// The credentials and the first token of a Kerberos handshake bound to `binding`;
    /// credentials held that have expired are acquired anew once.
    #[cfg(feature = "kerberos")]
    async fn spnego_start(
        &self,
        who: kerberos::Who<'_>,
        binding: &Binding,
    ) -> Result<(kerberos::Handshake, kerberos::Step), KerberosFailure> {
        let mut renew = false;
        loop {
            let tickets = Arc::clone(&self.tickets);
            let owned = kerberos::OwnedWho::from(who);
            let cred = blocking(move || tickets.get(owned.borrow(), renew)).await?;
            let handshake = kerberos::Handshake::new(cred, who, &self.spn, binding)?;
            match kerberos_blocking(handshake, |h| h.step(None)).await {
                Err(KerberosFailure::NoTicket)
                    if !renew && matches!(who, kerberos::Who::Password { .. }) =>
                {
                    renew = true;
                }
                other => return other,
            }
        }
    }
}

/// Runs `f` on a blocking thread: GSSAPI calls block while they talk to the KDC.
#[cfg(feature = "kerberos")]
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, KerberosFailure> + Send + 'static,
) -> Result<T, KerberosFailure> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(KerberosFailure::Other {
            detail: "the runtime shut down during the handshake".to_owned(),
        }),
    }
}

/// Runs `f` on `handshake` on a blocking thread, and gives the handshake back with the result.
#[cfg(feature = "kerberos")]
async fn kerberos_blocking<T: Send + 'static>(
    mut handshake: kerberos::Handshake,
    f: impl FnOnce(&mut kerberos::Handshake) -> Result<T, KerberosFailure> + Send + 'static,
) -> Result<(kerberos::Handshake, T), KerberosFailure> {
    blocking(move || f(&mut handshake).map(|value| (handshake, value))).await
}
