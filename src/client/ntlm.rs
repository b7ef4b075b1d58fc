//! The NTLM messages of Windows authentication (NTLMv2 only), for the `NTLM` and
//! `Negotiate` HTTP schemes; the message encoding and the NTLMv2 computation are
//! ntlmclient's. The handshake over a connection is the client's.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

/// The HTTP authentication scheme the NTLM messages travel in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// `Authorization: NTLM …`.
    Ntlm,
    /// `Authorization: Negotiate …`, carrying raw NTLM messages (which servers offering
    /// Negotiate accept, as from Windows clients that do not wrap them in SPNEGO).
    Negotiate,
}

impl Scheme {
    /// The scheme's name in HTTP headers.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scheme::Ntlm => "NTLM",
            Scheme::Negotiate => "Negotiate",
        }
    }
}

/// A user name split as NTLM sends it: `DOMAIN\user` gives the domain and the user;
/// `user@domain` (a user principal name) and a bare `user` are sent whole, with no domain,
/// for the server to resolve.
pub(crate) fn split_user(user: &str) -> (&str, &str) {
    match user.split_once('\\') {
        Some((domain, user)) => (domain, user),
        None => ("", user),
    }
}

/// The flags the client asks for: Unicode strings, NTLM, the server's target information
/// (which NTLMv2 needs).
fn flags() -> ntlmclient::Flags {
    ntlmclient::Flags::NEGOTIATE_UNICODE
        | ntlmclient::Flags::REQUEST_TARGET
        | ntlmclient::Flags::NEGOTIATE_NTLM
        | ntlmclient::Flags::NEGOTIATE_ALWAYS_SIGN
        | ntlmclient::Flags::NEGOTIATE_NTLM2_KEY
        | ntlmclient::Flags::NEGOTIATE_TARGET_INFO
}

/// The `Authorization` value opening a handshake (the NEGOTIATE message).
pub(crate) fn negotiate(scheme: Scheme) -> String {
    let message = ntlmclient::Message::Negotiate(ntlmclient::NegotiateMessage {
        flags: flags(),
        supplied_domain: String::new(),
        supplied_workstation: String::new(),
        os_version: Default::default(),
    });
    let bytes = message
        .to_bytes()
        .expect("a negotiate message without strings always encodes");
    format!("{} {}", scheme.name(), BASE64.encode(bytes))
}

/// Why a server's challenge could not be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HandshakeError {
    /// The 401 carried no challenge for the scheme.
    NoChallenge,
    /// The challenge is not an NTLM CHALLENGE message.
    BadChallenge(String),
}

/// The token of the first `WWW-Authenticate` value of `scheme` that carries one.
pub(crate) fn token<'h, S: AsRef<str> + ?Sized + 'h>(
    scheme: &str,
    www_authenticate: impl IntoIterator<Item = &'h S>,
) -> Option<&'h str> {
    www_authenticate.into_iter().find_map(|value| {
        let (name, token) = value.as_ref().trim().split_once(' ')?;
        (name.eq_ignore_ascii_case(scheme) && !token.trim().is_empty()).then(|| token.trim())
    })
}

/// Whether the `WWW-Authenticate` values offer `scheme`.
#[cfg(feature = "kerberos")]
pub(crate) fn offers<S: AsRef<str>>(scheme: &str, www_authenticate: &[S]) -> bool {
    www_authenticate.iter().any(|value| {
        let name = value.as_ref().trim().split(' ').next().unwrap_or_default();
        name.eq_ignore_ascii_case(scheme)
    })
}

/// The server's CHALLENGE message in the `WWW-Authenticate` values of a 401, if one is for
/// `scheme`.
pub(crate) fn challenge<'h>(
    scheme: Scheme,
    www_authenticate: impl IntoIterator<Item = &'h str>,
) -> Result<ntlmclient::ChallengeMessage, HandshakeError> {
    let token = token(scheme.name(), www_authenticate).ok_or(HandshakeError::NoChallenge)?;
    let bytes = BASE64
        .decode(token)
        .map_err(|e| HandshakeError::BadChallenge(format!("not base64: {e}")))?;
    match ntlmclient::Message::try_from(bytes.as_slice()) {
        Ok(ntlmclient::Message::Challenge(challenge)) => Ok(challenge),
        Ok(other) => Err(HandshakeError::BadChallenge(format!(
            "message type {} instead of a challenge",
            other.message_number()
        ))),
        Err(e) => Err(HandshakeError::BadChallenge(e.to_string())),
    }
}

/// The `Authorization` value answering `challenge` (the AUTHENTICATE message, NTLMv2),
/// bound to the TLS connection by `binding` (the MD5 hash of its channel bindings, carried
/// as the `MsvAvChannelBindings` entry of the target information) where there is one.
pub(crate) fn authenticate(
    scheme: Scheme,
    challenge: &ntlmclient::ChallengeMessage,
    user: &str,
    password: &str,
    binding: Option<[u8; 16]>,
) -> String {
    let (domain, user) = split_user(user);
    let credentials = ntlmclient::Credentials {
        username: user.to_owned(),
        password: password.to_owned(),
        domain: domain.to_owned(),
    };
    let target_info = target_info(&challenge.target_information, binding);
    let response = ntlmclient::respond_challenge_ntlm_v2(
        challenge.challenge,
        &target_info,
        ntlmclient::get_ntlm_time(),
        &credentials,
    );
    let message = response.to_message(&credentials, "", flags());
    drop(credentials);
    let bytes = message
        .to_bytes()
        .expect("an authenticate message of short strings always encodes");
    format!("{} {}", scheme.name(), BASE64.encode(bytes))
}

/// The target information the NTLMv2 response covers: the server's entries, then the channel
/// bindings' hash if any, then the terminator.
fn target_info(server: &[ntlmclient::TargetInfoEntry], binding: Option<[u8; 16]>) -> Vec<u8> {
    use ntlmclient::{TargetInfoEntry, TargetInfoType};
    let entries = server
        .iter()
        .filter(|entry| {
            !matches!(
                entry.entry_type,
                TargetInfoType::Terminator | TargetInfoType::ChannelBindings
            )
        })
        .cloned()
        .chain(binding.map(|hash| TargetInfoEntry {
            entry_type: TargetInfoType::ChannelBindings,
            data: hash.to_vec(),
        }))
        .chain([TargetInfoEntry {
            entry_type: TargetInfoType::Terminator,
            data: Vec::new(),
        }]);
    entries.flat_map(|entry| entry.to_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_split_as_windows_sends_them() {
        assert_eq!(split_user(r"CONTOSO\alice"), ("CONTOSO", "alice"));
        assert_eq!(split_user("alice@contoso.com"), ("", "alice@contoso.com"));
        assert_eq!(split_user("alice"), ("", "alice"));
    }

    #[test]
    fn a_challenge_is_found_among_the_offered_schemes() {
        assert_eq!(
            challenge(Scheme::Ntlm, ["Negotiate", "NTLM"]).unwrap_err(),
            HandshakeError::NoChallenge
        );
        assert!(matches!(
            challenge(Scheme::Ntlm, ["NTLM !!!"]).unwrap_err(),
            HandshakeError::BadChallenge(_)
        ));
        let negotiate = negotiate(Scheme::Ntlm);
        let token = negotiate.strip_prefix("NTLM ").unwrap();
        assert!(matches!(
            challenge(Scheme::Ntlm, [format!("NTLM {token}").as_str()]).unwrap_err(),
            HandshakeError::BadChallenge(_)
        ));
    }

    #[test]
    fn the_binding_goes_before_the_terminator() {
        use ntlmclient::{TargetInfoEntry, TargetInfoType};
        let server = [
            TargetInfoEntry {
                entry_type: TargetInfoType::NtDomain,
                data: "C".encode_utf16().flat_map(u16::to_le_bytes).collect(),
            },
            TargetInfoEntry {
                entry_type: TargetInfoType::Terminator,
                data: Vec::new(),
            },
        ];
        let bound = target_info(&server, Some([7; 16]));
        let mut expected = vec![2, 0, 2, 0, b'C', 0];
        expected.extend_from_slice(&[10, 0, 16, 0]);
        expected.extend_from_slice(&[7; 16]);
        expected.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(bound, expected);
        assert_eq!(
            target_info(&server, None),
            [2, 0, 2, 0, b'C', 0, 0, 0, 0, 0]
        );
    }
}
