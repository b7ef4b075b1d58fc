//! The loopback endpoint behind Windows authentication (`tests/tools/windows_auth_server.py`),
//! whose handshakes pyspnego's NTLM acceptor and MIT Kerberos's GSSAPI acceptor check.
#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::common::{page_fixture, python};

/// The NTLM users the endpoint knows (pyspnego's `DOMAIN:USER:PASSWORD` file).
const USERS: &str =
    "CONTOSO:alice:Summer-2026!\n:bob@contoso.com:Winter-2026!\n:carol:Spring-2026!\n";

/// The endpoint, killed when dropped, and the files it reads.
pub struct Endpoint {
    child: Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    https: bool,
    files: [PathBuf; 2],
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// A file of this process's own: tests run in parallel, and a server reading a file that
/// another test is rewriting (the users file is read at every handshake) would fail.
pub fn tmp(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("windows-auth");
    std::fs::create_dir_all(&dir).unwrap();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{}-{n}-{name}", std::process::id()))
}

impl Endpoint {
    /// Starts the endpoint offering `scheme`, with the server's `options`; `None` without a
    /// Python to run it.
    pub fn start(scheme: &str, options: &[&str]) -> Option<Endpoint> {
        Self::serving(scheme, &page_fixture("response.xml"), options)
    }

    /// Starts the endpoint answering every authenticated POST with `answer`.
    pub fn serving(scheme: &str, answer: &str, options: &[&str]) -> Option<Endpoint> {
        Self::with_env(scheme, answer, options, Vec::new())
    }

    /// Starts the endpoint with `env` added to its environment (the Kerberos settings).
    pub fn with_env(
        scheme: &str,
        answer: &str,
        options: &[&str],
        env: Vec<(&str, OsString)>,
    ) -> Option<Endpoint> {
        let python = python()?;
        let users = tmp("users");
        std::fs::write(&users, USERS).unwrap();
        let response = tmp("response.xml");
        std::fs::write(&response, answer).unwrap();
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/windows_auth_server.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(scheme)
            .arg(&response)
            .args(options)
            .env("NTLM_USER_FILE", &users)
            .env("LM_COMPAT_LEVEL", "5")
            .envs(env)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the Windows authentication endpoint starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the endpoint printed {line:?}, not its port"));
        Some(Endpoint {
            child,
            port,
            https: options.contains(&"--tls"),
            files: [users, response],
        })
    }

    /// The EWS URL, on `host` (127.0.0.1 or localhost).
    pub fn url_on(&self, host: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{host}:{}/EWS/Exchange.asmx", self.port)
    }

    /// The EWS URL on 127.0.0.1.
    pub fn url(&self) -> String {
        self.url_on("127.0.0.1")
    }

    /// What the endpoint counted: handshakes, failed handshakes, answers, users, protocols.
    pub async fn stats(&self) -> Value {
        let url = self.url().replace("/EWS/Exchange.asmx", "/stats");
        let http = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap();
        let text = http.get(url).send().await.unwrap().text().await.unwrap();
        serde_json::from_str(&text).unwrap()
    }
}
