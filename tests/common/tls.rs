//! A loopback HTTPS endpoint whose certificate comes from a private certificate authority
//! made here, as a company CA issues them.
#![allow(dead_code)]

use std::sync::Arc;

use ews_bindings::mock::{MockResponse, MockServer};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// A private authority's root certificate (PEM) and a server certificate it issued for
/// `127.0.0.1`, with the server's key.
pub fn private_ca() -> (String, rustls::ServerConfig) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    (ca.pem(), config)
}

/// An HTTPS endpoint on loopback in front of the HTTP endpoint `backend` (its URL; TLS
/// ended here, the bytes passed on); returns its EWS URL.
pub async fn https_in_front_of(backend: &str, config: rustls::ServerConfig) -> String {
    let backend = backend
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let backend = backend.clone();
            tokio::spawn(async move {
                // A refused handshake ends the connection; the client reports it.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(&backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    format!("https://{addr}/EWS/Exchange.asmx")
}

/// The loopback endpoint serving the GetImItemList sample, behind HTTPS with a certificate
/// from a private authority: the endpoint (dropping it stops it), the EWS URL, and the
/// authority's root certificate (PEM).
pub async fn sample_endpoint() -> (MockServer, String, String) {
    let backend = MockServer::start(vec![MockResponse::xml(crate::common::page_fixture(
        "response.xml",
    ))])
    .await
    .unwrap();
    let (ca, config) = private_ca();
    let url = https_in_front_of(&backend.url(), config).await;
    (backend, url, ca)
}
