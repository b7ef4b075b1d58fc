//! The platform's trust store is trusted: a root certificate named by `SSL_CERT_FILE` (as
//! on a machine whose administrator installed the company CA) makes the private
//! authority's server certificate trusted, with nothing set on the client. A test binary of
//! its own, since it sets a variable of the process environment.

mod common;
#[path = "common/tls.rs"]
mod tls;

use ews_bindings::Client;

#[tokio::test]
async fn a_root_in_ssl_cert_file_is_trusted() {
    let (_backend, url, ca) = tls::sample_endpoint().await;
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("company-ca.pem");
    std::fs::write(&file, ca).unwrap();
    // The only test of this binary: nothing else reads the environment meanwhile.
    std::env::set_var("SSL_CERT_FILE", &file);
    let client = Client::builder(url).build().unwrap();
    client.get_im_item_list().await.unwrap();
}
