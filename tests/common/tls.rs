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
    let (ca, config) = private_ca();
    let (backend, url) = sample_endpoint_with(config).await;
    (backend, url, ca)
}

/// The server's certificate and key as PEM text, made into a server configuration.
fn server_config(certificate: &str, key: &str) -> rustls::ServerConfig {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certificate = CertificateDer::from_pem_slice(certificate.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .unwrap()
}

/// A self-signed certificate for `127.0.0.1` as `openssl req -x509 -subj /CN=127.0.0.1`
/// makes it with its defaults (marked CA:TRUE, the host in the subject only), made by the
/// openssl command itself; the certificate's PEM text and the server's configuration.
/// `None`, said on standard error, where no openssl command exists (under CI: a failure).
pub fn openssl_self_signed() -> Option<(String, rustls::ServerConfig)> {
    let dir = std::env::temp_dir().join(format!(
        "ews-openssl-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let made = openssl_req(&["rsa:2048", "-subj", "/CN=127.0.0.1"], &dir, "server");
    let result = made.map(|(_, key, pem)| {
        let config = server_config(&pem, &std::fs::read_to_string(key).unwrap());
        (pem, config)
    });
    std::fs::remove_dir_all(&dir).unwrap();
    result
}

/// Runs `openssl req -x509 -nodes -days 2 -newkey ARGS…`, writing `NAME.crt` and `NAME.key`
/// into `dir`: their paths and the certificate's PEM text. `None`, said on standard error,
/// without an openssl command (under CI: a failure).
fn openssl_req(
    args: &[&str],
    dir: &std::path::Path,
    name: &str,
) -> Option<(std::path::PathBuf, std::path::PathBuf, String)> {
    let (cert_file, key_file) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-nodes", "-days", "2", "-newkey"])
        .args(args)
        .arg("-keyout")
        .arg(&key_file)
        .arg("-out")
        .arg(&cert_file)
        .output();
    match made {
        Ok(out) if out.status.success() => {}
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "openssl req failed under CI: {other:?}"
            );
            eprintln!("skipped: no openssl command to make a certificate with ({other:?})");
            return None;
        }
    }
    let pem = std::fs::read_to_string(&cert_file).unwrap();
    Some((cert_file, key_file, pem))
}

/// The loopback endpoint serving the GetImItemList sample behind HTTPS with `config`: the
/// endpoint (dropping it stops it) and the EWS URL.
pub async fn sample_endpoint_with(config: rustls::ServerConfig) -> (MockServer, String) {
    let backend = MockServer::start(vec![MockResponse::xml(crate::common::page_fixture(
        "response.xml",
    ))])
    .await
    .unwrap();
    let url = https_in_front_of(&backend.url(), config).await;
    (backend, url)
}

/// A self-signed server certificate for `127.0.0.1` signed with `algorithm`, written as PEM
/// files `NAME.crt` and `NAME.key` into `dir`: their paths and the certificate's PEM text.
pub fn certificate_files(
    algorithm: &'static rcgen::SignatureAlgorithm,
    dir: &std::path::Path,
    name: &str,
) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let key = KeyPair::generate_for(algorithm).unwrap();
    let certificate = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (cert_file, key_file) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&cert_file, certificate.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    (cert_file, key_file, certificate.pem())
}

/// A self-signed server certificate for `localhost` and `127.0.0.1` made by the openssl
/// command with the key `newkey` (as `openssl req -newkey` takes it: `ed25519`,
/// `rsa:2048`), written as PEM files `NAME.crt` and `NAME.key` into `dir`: their paths and the
/// certificate's PEM text. `None`, said on standard error, without an openssl command
/// (under CI: a failure).
pub fn openssl_certificate_files(
    newkey: &str,
    dir: &std::path::Path,
    name: &str,
) -> Option<(std::path::PathBuf, std::path::PathBuf, String)> {
    let san = "subjectAltName=DNS:localhost,IP:127.0.0.1";
    openssl_req(
        &[newkey, "-subj", "/CN=localhost", "-addext", san],
        dir,
        name,
    )
}

/// The options of the Windows authentication endpoint (`tests/tools/windows_auth_server.py`)
/// for HTTPS with a certificate signed with `algorithm`, written into `dir`, requiring the
/// channel binding of `binding` (`Some("served")`: its own certificate's, `Some("other")`:
/// another certificate's; `None`: none): the options, and the certificate's PEM text.
pub fn https_options(
    dir: &std::path::Path,
    algorithm: &'static rcgen::SignatureAlgorithm,
    binding: Option<&str>,
) -> (Vec<String>, String) {
    let (cert, key, pem) = certificate_files(algorithm, dir, "served");
    let (other, _, _) = certificate_files(&rcgen::PKCS_ECDSA_P256_SHA256, dir, "other");
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let mut options = vec!["--tls".to_owned(), path(&cert), path(&key)];
    match binding {
        Some("served") => options.extend(["--binding-of".to_owned(), path(&cert)]),
        Some(_) => options.extend(["--binding-of".to_owned(), path(&other)]),
        None => {}
    }
    (options, pem)
}
