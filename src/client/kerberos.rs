//! Kerberos for Windows authentication in the `Negotiate` HTTP scheme, through the system's
//! GSSAPI (MIT Kerberos or Heimdal, by libgssapi): the KDC exchanges, krb5.conf, DNS and the
//! credential cache are the library's. The context is Kerberos's own (RFC 4121); the client
//! wraps its tokens in SPNEGO itself (`spnego.rs`), so that the errors GSSAPI reports keep
//! Kerberos's codes, which its SPNEGO layer would map away. The client's part: the credentials (from
//! a password, acquired once per client, or the user's credential cache), the service name,
//! the channel bindings of the TLS connection, and turning what failed into a
//! [`KerberosFailure`] that says what to change. GSSAPI calls block (they talk to the KDC),
//! so the client runs them on a blocking thread.

use std::sync::{Mutex, PoisonError};

use libgssapi::context::{ClientCtx, CtxFlags, SecurityContext};
use libgssapi::credential::{Cred, CredUsage};
use libgssapi::error::{Error as GssError, MajorFlags};
use libgssapi::name::Name;
use libgssapi::oid::{OidSet, GSS_MECH_KRB5, GSS_NT_HOSTBASED_SERVICE, GSS_NT_KRB5_PRINCIPAL};

use super::binding::Binding;
use crate::error::KerberosFailure;

/// The krb5 error codes (MIT's `krb5.h`; Heimdal's agree) the client tells apart.
mod code {
    pub const C_PRINCIPAL_UNKNOWN: i32 = -1765328378;
    pub const S_PRINCIPAL_UNKNOWN: i32 = -1765328377;
    pub const CLIENT_REVOKED: i32 = -1765328366;
    pub const KEY_EXP: i32 = -1765328361;
    pub const PREAUTH_FAILED: i32 = -1765328360;
    pub const BAD_INTEGRITY: i32 = -1765328353;
    pub const TKT_EXPIRED: i32 = -1765328352;
    pub const SKEW: i32 = -1765328347;
    pub const CC_NOTFOUND: i32 = -1765328243;
    pub const CC_END: i32 = -1765328242;
    pub const REALM_UNKNOWN: i32 = -1765328230;
    pub const KDC_UNREACH: i32 = -1765328228;
    pub const FCC_NOFILE: i32 = -1765328189;
    pub const REALM_CANT_RESOLVE: i32 = -1765328164;
    pub const CONFIG_NODEFREALM: i32 = -1765328160;
}

/// The routine error field of a GSSAPI major status (RFC 2744 3.9.1): a number, not flags.
const ROUTINE_ERROR: u32 = 0x00FF_0000;

/// Whose credentials Kerberos uses.
#[derive(Clone, Copy)]
pub(crate) enum Who<'a> {
    /// A user and password: the client asks the KDC for a ticket-granting ticket.
    Password {
        /// `user@REALM`, `REALM\user`, or `user` in krb5.conf's default realm.
        user: &'a str,
        /// The password.
        password: &'a str,
    },
    /// The ticket-granting ticket in the user's credential cache (`KRB5CCNAME`, `kinit`).
    Cache,
}

impl Who<'_> {
    /// The user as the messages name them.
    fn user(&self) -> String {
        match self {
            Who::Password { user, .. } => (*user).to_owned(),
            Who::Cache => "the credential cache's user".to_owned(),
        }
    }

    /// The realm, where the user name gives it.
    fn realm(&self) -> String {
        match self {
            Who::Password { user, .. } => principal(user)
                .rsplit_once('@')
                .map(|(_, realm)| realm.to_owned())
                .unwrap_or_default(),
            Who::Cache => String::new(),
        }
    }
}

/// [`Who`] owning its strings, to cross to a blocking thread.
pub(crate) enum OwnedWho {
    /// See [`Who::Password`].
    Password { user: String, password: String },
    /// See [`Who::Cache`].
    Cache,
}

impl From<Who<'_>> for OwnedWho {
    fn from(who: Who<'_>) -> Self {
        match who {
            Who::Password { user, password } => OwnedWho::Password {
                user: user.to_owned(),
                password: password.to_owned(),
            },
            Who::Cache => OwnedWho::Cache,
        }
    }
}

impl OwnedWho {
    /// The borrowed form.
    pub(crate) fn borrow(&self) -> Who<'_> {
        match self {
            OwnedWho::Password { user, password } => Who::Password { user, password },
            OwnedWho::Cache => Who::Cache,
        }
    }
}

/// The Kerberos principal of a user name: `REALM\user` and `user@domain` become
/// `user@REALM` (realms are written in capitals); a bare `user` stays as it is, for
/// krb5.conf's default realm.
pub(crate) fn principal(user: &str) -> String {
    if let Some((realm, name)) = user.split_once('\\') {
        return format!("{name}@{}", realm.to_uppercase());
    }
    match user.rsplit_once('@') {
        Some((name, realm)) => format!("{name}@{}", realm.to_uppercase()),
        None => user.to_owned(),
    }
}

/// The GSSAPI name of a service principal name: `HTTP/host` as the host-based service
/// `HTTP@host` (the realm from krb5.conf's domain mapping or the KDC's referral), a name with
/// a realm (`HTTP/host@REALM`) as it is.
fn service_name(spn: &str) -> Result<Name, GssError> {
    match spn.split_once('/') {
        Some((service, host)) if !host.contains('@') && !host.contains('/') => Name::new(
            format!("{service}@{host}").as_bytes(),
            Some(GSS_NT_HOSTBASED_SERVICE),
        ),
        _ => Name::new(spn.as_bytes(), Some(GSS_NT_KRB5_PRINCIPAL)),
    }
}

/// The mechanisms credentials are acquired for: Kerberos.
fn mechanisms() -> Result<OidSet, GssError> {
    let mut set = OidSet::new();
    set.add(GSS_MECH_KRB5)?;
    Ok(set)
}

/// The Kerberos credentials of one client, acquired at its first handshake and shared by
/// its connections (the service tickets they get stay with them).
#[derive(Default)]
pub(crate) struct Tickets {
    cred: Mutex<Option<Cred>>,
}

impl std::fmt::Debug for Tickets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tickets([redacted])")
    }
}

impl Tickets {
    /// The credentials of `who`, acquired now unless held already (blocks while it asks the
    /// KDC); `renew` drops those held first (when they have expired).
    pub(crate) fn get(&self, who: Who<'_>, renew: bool) -> Result<Cred, KerberosFailure> {
        let mut held = self.cred.lock().unwrap_or_else(PoisonError::into_inner);
        if renew {
            *held = None;
        }
        if let Some(cred) = &*held {
            return Ok(cred.clone());
        }
        let acquired = mechanisms().and_then(|mechanisms| match who {
            Who::Password { user, password } => {
                let name = Name::new(principal(user).as_bytes(), Some(GSS_NT_KRB5_PRINCIPAL))?;
                Cred::acquire_with_password(
                    Some(&name),
                    password,
                    None,
                    CredUsage::Initiate,
                    Some(&mechanisms),
                )
            }
            Who::Cache => Cred::acquire(None, None, CredUsage::Initiate, Some(&mechanisms)),
        });
        let cred = acquired.map_err(|e| failure(&e, who, None))?;
        *held = Some(cred.clone());
        Ok(cred)
    }
}

/// What one step of the handshake gives.
pub(crate) enum Step {
    /// A token to send; the handshake goes on with the server's answer.
    Continue(Vec<u8>),
    /// The client's part is done: a last token to send, if any.
    Done(Option<Vec<u8>>),
}

/// One handshake: the security context, bound to the connection's TLS channel.
pub(crate) struct Handshake {
    context: ClientCtx,
    bindings: Option<Vec<u8>>,
    spn: String,
    user: String,
    realm: String,
}

impl std::fmt::Debug for Handshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handshake")
            .field("spn", &self.spn)
            .finish_non_exhaustive()
    }
}

impl Handshake {
    /// A handshake with `cred` (of `who`) for the service `spn`, bound to `binding`.
    pub(crate) fn new(
        cred: Cred,
        who: Who<'_>,
        spn: &str,
        binding: &Binding,
    ) -> Result<Self, KerberosFailure> {
        let target = service_name(spn).map_err(|e| failure(&e, who, Some(spn)))?;
        let flags = CtxFlags::GSS_C_MUTUAL_FLAG;
        Ok(Handshake {
            context: ClientCtx::new(Some(cred), target, flags, Some(GSS_MECH_KRB5)),
            bindings: binding.application_data().map(<[u8]>::to_vec),
            spn: spn.to_owned(),
            user: who.user(),
            realm: who.realm(),
        })
    }

    /// The next step with the server's token `input` (`None` at the start); blocks while
    /// it asks the KDC for a service ticket.
    pub(crate) fn step(&mut self, input: Option<&[u8]>) -> Result<Step, KerberosFailure> {
        match self.context.step(input, self.bindings.as_deref()) {
            Ok(token) => {
                let token = token.map(|t| t.to_vec()).filter(|t| !t.is_empty());
                match (self.context.is_complete(), token) {
                    (true, token) => Ok(Step::Done(token)),
                    (false, Some(token)) => Ok(Step::Continue(token)),
                    (false, None) => Err(KerberosFailure::Other {
                        detail: "GSSAPI asked for another round but gave no token to send"
                            .to_owned(),
                    }),
                }
            }
            Err(e) => Err(self.failure(&e)),
        }
    }

    /// Checks the server's final token (mutual authentication).
    pub(crate) fn finish(&mut self, token: &[u8]) -> Result<(), KerberosFailure> {
        if self.context.is_complete() {
            return Ok(());
        }
        match self.context.step(Some(token), self.bindings.as_deref()) {
            Ok(_) if self.context.is_complete() => Ok(()),
            Ok(_) => Err(KerberosFailure::MutualAuthentication {
                detail: "the handshake is not complete after the server's last token".to_owned(),
            }),
            Err(e) => Err(KerberosFailure::MutualAuthentication {
                detail: e.to_string(),
            }),
        }
    }

    fn failure(&self, e: &GssError) -> KerberosFailure {
        classify(e, &self.user, &self.realm, Some(&self.spn))
    }
}

/// What failed, for `who` (and the service `spn`, once a service ticket was asked for).
fn failure(e: &GssError, who: Who<'_>, spn: Option<&str>) -> KerberosFailure {
    classify(e, &who.user(), &who.realm(), spn)
}

fn classify(e: &GssError, user: &str, realm: &str, spn: Option<&str>) -> KerberosFailure {
    let user = user.to_owned();
    let realm = realm.to_owned();
    match e.minor as i32 {
        code::C_PRINCIPAL_UNKNOWN => KerberosFailure::UnknownUser { user },
        code::S_PRINCIPAL_UNKNOWN => KerberosFailure::UnknownService {
            spn: spn.unwrap_or_default().to_owned(),
        },
        code::PREAUTH_FAILED | code::BAD_INTEGRITY if spn.is_none() => {
            KerberosFailure::WrongPassword { user }
        }
        code::CLIENT_REVOKED => KerberosFailure::AccountRevoked { user },
        code::KEY_EXP => KerberosFailure::PasswordExpired { user },
        code::SKEW => KerberosFailure::ClockSkew,
        code::KDC_UNREACH => KerberosFailure::KdcUnreachable {
            realm,
            detail: e.to_string(),
        },
        code::REALM_UNKNOWN | code::REALM_CANT_RESOLVE => KerberosFailure::NoKdc { realm },
        code::CONFIG_NODEFREALM => KerberosFailure::NoRealm { user },
        code::CC_NOTFOUND | code::CC_END | code::FCC_NOFILE | code::TKT_EXPIRED => {
            KerberosFailure::NoTicket
        }
        _ if [
            MajorFlags::GSS_S_NO_CRED,
            MajorFlags::GSS_S_CREDENTIALS_EXPIRED,
        ]
        .iter()
        .any(|routine| e.major.bits() & ROUTINE_ERROR == routine.bits()) =>
        {
            KerberosFailure::NoTicket
        }
        _ => KerberosFailure::Other {
            detail: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_become_principals() {
        assert_eq!(principal(r"EWS.TEST\alice"), "alice@EWS.TEST");
        assert_eq!(principal(r"contoso\alice"), "alice@CONTOSO");
        assert_eq!(principal("alice@contoso.com"), "alice@CONTOSO.COM");
        assert_eq!(principal("alice"), "alice");
    }
}
