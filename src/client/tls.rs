//! The TLS settings of every connection the client makes: the roots it trusts (the bundled
//! Mozilla roots, the platform's store, the caller's), or no certificate checks at all when
//! the caller asks for that.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{self, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The client configuration: `roots` (PEM texts, each holding at least one certificate)
/// trusted besides the bundled and the platform's roots; with `accept_invalid`, any
/// certificate. The error says which PEM text holds no certificate.
pub(crate) fn config<'p>(
    roots: impl IntoIterator<Item = &'p [u8]>,
    accept_invalid: bool,
) -> Result<ClientConfig, String> {
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
        let (added, _) = store.add_parsable_certificates(certificates);
        if added == 0 {
            return Err(format!(
                "root certificates #{}: no PEM certificate (a block starting with \
                 -----BEGIN CERTIFICATE-----) could be read",
                i + 1
            ));
        }
    }
    Ok(builder.with_root_certificates(store).with_no_client_auth())
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
