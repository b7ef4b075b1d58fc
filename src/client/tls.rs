//! The TLS settings of every connection the client makes: the roots it trusts (the bundled
//! Mozilla roots, the platform's store, the caller's), the caller's certificates also trusted
//! as themselves (pinned), or no certificate checks at all when the caller asks for that.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{self, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The client configuration: `roots` (PEM texts, each holding at least one certificate)
/// trusted besides the bundled and the platform's roots, and each of their certificates
/// accepted as the server's own when the server presents exactly it; with `accept_invalid`,
/// any certificate. The error says which PEM text holds no certificate.
pub(crate) fn config<'p>(
    roots: impl IntoIterator<Item = &'p [u8]>,
    accept_invalid: bool,
) -> Result<ClientConfig, String> {
    // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
    // the provider that has it (aws-lc-rs) needs cmake and a C toolchain to build. ring's
    // still offers X25519, P-256 and P-384 key exchange over TLS 1.2 and 1.3.
    #[allow(deprecated)]
    let provider = Arc::new(crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    if accept_invalid {
        let verifier = AcceptAny(provider.signature_verification_algorithms);
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth());
    }
    let mut store = RootCertStore::empty();
    let mut pinned = Vec::new();
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let platform = rustls_native_certs::load_native_certs();
    for error in &platform.errors {
        tracing::debug!(%error, "a platform root certificate store could not be read");
    }
    // Platform stores hold the odd certificate rustls cannot parse; the others still count.
    store.add_parsable_certificates(platform.certs);
    for (i, pem) in roots.into_iter().enumerate() {
        let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
            .filter_map(Result::ok)
            .collect();
        let (added, _) = store.add_parsable_certificates(certificates.iter().cloned());
        pinned.extend(certificates);
        if added == 0 {
            return Err(format!(
                "root certificates #{}: no PEM certificate (a block starting with \
                 -----BEGIN CERTIFICATE-----) could be read",
                i + 1
            ));
        }
    }
    let chains = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
        .build()
        .map_err(|e| e.to_string())?;
    let verifier = Pinned { chains, pinned };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// The usual checks (a chain to a trusted root, the host's name, the dates), and besides
/// them the caller's own certificates: a server presenting exactly one of those is accepted
/// as it is, as a pinned certificate, whatever its name, dates or CA flag. A self-signed
/// certificate made with openssl's defaults (`openssl req -x509 -subj /CN=host`) is marked as
/// a certificate authority and names its host in the subject only, which the usual checks
/// refuse for a server; given by the caller, it is still that server's certificate.
#[derive(Debug)]
struct Pinned {
    chains: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.chains.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(_)
                if self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chains.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chains.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.chains.supported_verify_schemes()
    }
}

/// A verifier that accepts every certificate (and checks only that the handshake's
/// signatures are made with the key the certificate holds).
#[derive(Debug)]
struct AcceptAny(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
