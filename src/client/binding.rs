//! Channel binding: what ties Windows authentication to the TLS connection it runs on, so
//! that a server with Extended Protection for Authentication accepts it. The binding is
//! RFC 5929's `tls-server-end-point`: the hash of the server's certificate, made with the
//! hash function of the certificate's signature (SHA-256 where that is MD5 or SHA-1).

use md5::{Digest, Md5};
use ring::digest;

use super::der::{element, oid_text};

/// What a connection offers to bind authentication to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Binding {
    /// Plain HTTP: nothing to bind to, and none sent.
    None,
    /// HTTPS, with the `tls-server-end-point` application data of the server's certificate.
    Tls(Vec<u8>),
    /// HTTPS, but no binding can be made for the server's certificate (the reason).
    Unavailable(String),
}

impl Binding {
    /// The binding of a TLS connection whose server presented `certificate` (DER).
    pub(crate) fn of_certificate(certificate: Option<&[u8]>) -> Binding {
        let Some(certificate) = certificate else {
            return Binding::Unavailable("the server presented no certificate".to_owned());
        };
        match end_point_hash(certificate) {
            Ok(hash) => {
                let mut data = b"tls-server-end-point:".to_vec();
                data.extend_from_slice(&hash);
                Binding::Tls(data)
            }
            Err(reason) => Binding::Unavailable(reason),
        }
    }

    /// The application data of the binding, if there is one.
    pub(crate) fn application_data(&self) -> Option<&[u8]> {
        match self {
            Binding::Tls(data) => Some(data),
            Binding::None | Binding::Unavailable(_) => None,
        }
    }

    /// The MD5 hash of the GSS-API channel bindings structure (RFC 2744, no addresses) that
    /// NTLMv2 carries in its `MsvAvChannelBindings` entry.
    pub(crate) fn ntlm_hash(&self) -> Option<[u8; 16]> {
        let data = self.application_data()?;
        let mut structure = vec![0u8; 16];
        structure.extend_from_slice(&(data.len() as u32).to_le_bytes());
        structure.extend_from_slice(data);
        Some(Md5::digest(&structure).into())
    }
}

/// The hash function RFC 5929 takes for a certificate signed with `algorithm` (the
/// signatureAlgorithm's OID contents and its parameters).
fn hash_for(algorithm: &[u8], parameters: &[u8]) -> Result<&'static digest::Algorithm, String> {
    const RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01];
    const ECDSA: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04];
    const DSA_SHA1: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x03];
    const NIST: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04];
    let sha256 = &digest::SHA256;
    let hash = match algorithm {
        // md5WithRSAEncryption, sha1WithRSAEncryption: SHA-256, as RFC 5929 says.
        [rsa @ .., 0x04 | 0x05] if rsa == RSA => sha256,
        [rsa @ .., 0x0B] if rsa == RSA => sha256,
        [rsa @ .., 0x0C] if rsa == RSA => &digest::SHA384,
        [rsa @ .., 0x0D] if rsa == RSA => &digest::SHA512,
        [rsa @ .., 0x0A] if rsa == RSA => pss_hash(parameters)?,
        [ecdsa @ .., 0x01] if ecdsa == ECDSA => sha256,
        [ecdsa @ .., 0x03, 0x02] if ecdsa == ECDSA => sha256,
        [ecdsa @ .., 0x03, 0x03] if ecdsa == ECDSA => &digest::SHA384,
        [ecdsa @ .., 0x03, 0x04] if ecdsa == ECDSA => &digest::SHA512,
        dsa if dsa == DSA_SHA1 => sha256,
        [nist @ .., 0x03, 0x02] if nist == NIST => sha256,
        other => {
            return Err(format!(
                "its signature algorithm (OID {}) names no hash function to bind with",
                oid_text(other)
            ))
        }
    };
    Ok(hash)
}

/// The hash function of RSASSA-PSS parameters (SHA-1 when they name none, hence SHA-256).
fn pss_hash(parameters: &[u8]) -> Result<&'static digest::Algorithm, String> {
    const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    let unreadable = || "its RSASSA-PSS parameters cannot be read".to_owned();
    let (fields, _) = element(parameters, 0x30).ok_or_else(unreadable)?;
    let Some((hash_algorithm, _)) = element(fields, 0xA0) else {
        return Ok(&digest::SHA256);
    };
    let (identifier, _) = element(hash_algorithm, 0x30).ok_or_else(unreadable)?;
    let (oid, _) = element(identifier, 0x06).ok_or_else(unreadable)?;
    Ok(match oid {
        SHA256 => &digest::SHA256,
        SHA384 => &digest::SHA384,
        SHA512 => &digest::SHA512,
        _ => &digest::SHA256,
    })
}

/// The `tls-server-end-point` hash of `certificate` (DER), or why none can be made.
fn end_point_hash(certificate: &[u8]) -> Result<Vec<u8>, String> {
    let unreadable = || "its certificate cannot be read".to_owned();
    let (fields, _) = element(certificate, 0x30).ok_or_else(unreadable)?;
    let (_, rest) = element(fields, 0x30).ok_or_else(unreadable)?;
    let (identifier, _) = element(rest, 0x30).ok_or_else(unreadable)?;
    let (oid, parameters) = element(identifier, 0x06).ok_or_else(unreadable)?;
    let hash = hash_for(oid, parameters)?;
    Ok(digest::digest(hash, certificate).as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(algorithm: &'static rcgen::SignatureAlgorithm) -> Vec<u8> {
        let key = rcgen::KeyPair::generate_for(algorithm).unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn the_hash_follows_the_signature() {
        for (algorithm, hash) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, &digest::SHA256),
            (&rcgen::PKCS_ECDSA_P384_SHA384, &digest::SHA384),
        ] {
            let der = certificate(algorithm);
            let Binding::Tls(data) = Binding::of_certificate(Some(&der)) else {
                panic!("no binding for {algorithm:?}")
            };
            let mut expected = b"tls-server-end-point:".to_vec();
            expected.extend_from_slice(digest::digest(hash, &der).as_ref());
            assert_eq!(data, expected);
        }
    }

    #[test]
    fn a_certificate_without_a_hash_in_its_signature_has_no_binding() {
        let der = certificate(&rcgen::PKCS_ED25519);
        let binding = Binding::of_certificate(Some(&der));
        assert_eq!(
            binding,
            Binding::Unavailable(
                "its signature algorithm (OID 1.3.101.112) names no hash function to bind with"
                    .to_owned()
            )
        );
        assert_eq!(binding.ntlm_hash(), None);
    }

    #[test]
    fn what_is_not_a_certificate_has_no_binding() {
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x84\xff\xff\xff\xff",
            b"\x02\x01\x00",
        ] {
            assert!(matches!(
                Binding::of_certificate(Some(bad)),
                Binding::Unavailable(_)
            ));
        }
    }

    #[test]
    fn the_ntlm_hash_covers_the_bindings_structure() {
        let binding = Binding::Tls(b"tls-server-end-point:abc".to_vec());
        let mut structure = vec![0u8; 16];
        structure.extend_from_slice(&24u32.to_le_bytes());
        structure.extend_from_slice(b"tls-server-end-point:abc");
        assert_eq!(binding.ntlm_hash(), Some(Md5::digest(&structure).into()));
    }
}
