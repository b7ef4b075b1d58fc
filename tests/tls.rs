//! HTTPS against a loopback endpoint whose certificate comes from a private certificate
//! authority made by the test, as a company CA issues them: refused by default with an
//! error saying the certificate is not trusted, accepted once the authority's root
//! certificate is added, and accepted with certificate checks turned off. A self-signed
//! certificate as openssl makes it by default is accepted when given itself.

mod common;
#[path = "common/tls.rs"]
mod tls;

use ews_bindings::{Client, Error};
use tls::{openssl_self_signed, private_ca, sample_endpoint, sample_endpoint_with};

#[tokio::test]
async fn a_private_authority_is_refused_by_default_with_what_to_do() {
    let (_backend, url, _) = sample_endpoint().await;
    let client = Client::builder(url).build().unwrap();
    let err = client.get_im_item_list().await.unwrap_err();
    let Error::UntrustedCertificate { host, reason } = &err else {
        panic!("{err:?}")
    };
    assert!(host.starts_with("127.0.0.1:"), "{host}");
    assert!(
        reason.contains("authority this client does not trust"),
        "{reason}"
    );
    let message = err.to_string();
    assert!(message.contains("root_certificates_pem"), "{message}");
    assert!(message.contains("--ca-cert"), "{message}");
}

#[tokio::test]
async fn the_authoritys_root_certificate_makes_it_trusted() {
    let (backend, url, ca) = sample_endpoint().await;
    let client = Client::builder(url)
        .root_certificates_pem(ca)
        .build()
        .unwrap();
    let list = client.get_im_item_list().await.unwrap();
    assert!(!list.groups.is_empty());
    assert_eq!(backend.requests().len(), 1);
}

#[tokio::test]
async fn another_authoritys_root_does_not() {
    let (_backend, url, _) = sample_endpoint().await;
    let (other, _) = private_ca();
    let client = Client::builder(url)
        .root_certificates_pem(other)
        .build()
        .unwrap();
    let err = client.get_im_item_list().await.unwrap_err();
    assert!(matches!(err, Error::UntrustedCertificate { .. }), "{err:?}");
}

#[tokio::test]
async fn turning_checks_off_accepts_any_certificate() {
    let (_backend, url, _) = sample_endpoint().await;
    let client = Client::builder(url)
        .danger_accept_invalid_certificates()
        .build()
        .unwrap();
    client.get_im_item_list().await.unwrap();
}

#[test]
fn a_file_without_a_certificate_fails_the_build_saying_so() {
    let err = Client::builder("https://127.0.0.1/EWS/Exchange.asmx")
        .root_certificates_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Build(_)), "{err:?}");
    assert!(err.to_string().contains("BEGIN CERTIFICATE"), "{err}");
}

#[tokio::test]
async fn a_self_signed_certificate_made_by_openssl_is_trusted_when_given() {
    let Some((certificate, config)) = openssl_self_signed() else {
        return;
    };
    let (backend, url) = sample_endpoint_with(config).await;
    let refused = Client::builder(url.clone())
        .build()
        .unwrap()
        .get_im_item_list()
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::UntrustedCertificate { .. }),
        "{refused:?}"
    );
    assert!(
        refused
            .to_string()
            .contains("trust that certificate itself"),
        "{refused}"
    );
    let client = Client::builder(url)
        .root_certificates_pem(certificate)
        .build()
        .unwrap();
    client.get_im_item_list().await.unwrap();
    assert_eq!(backend.requests().len(), 1);
}

#[tokio::test]
async fn a_given_certificate_is_trusted_only_as_itself() {
    let Some((certificate, _)) = openssl_self_signed() else {
        return;
    };
    let Some((_, other)) = openssl_self_signed() else {
        return;
    };
    let (_backend, url) = sample_endpoint_with(other).await;
    let client = Client::builder(url)
        .root_certificates_pem(certificate)
        .build()
        .unwrap();
    let err = client.get_im_item_list().await.unwrap_err();
    assert!(matches!(err, Error::UntrustedCertificate { .. }), "{err:?}");
}
