//! Throwaway MIT Kerberos realms on loopback (`tests/tools/kdc.py`), from Debian's packages
//! unpacked into `$EWS_KRB5_ROOT` (`tests/tools/krb5_packages.sh`), and the loopback
//! endpoint whose Kerberos handshakes MIT's GSSAPI acceptor checks with a realm's service
//! keys.
//!
//! The client side is the system's GSSAPI, which reads its configuration from the process
//! environment (`KRB5_CONFIG`, `KRB5CCNAME`): the realms of a test binary are started once,
//! before its first Kerberos call, and the environment is set then and not changed again.
//! Their KDCs end with the test process.
#![allow(dead_code)]

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use crate::common::python;
use crate::windows_auth::{tmp, Endpoint};

/// One realm: its KDC, its files.
pub struct Realm {
    /// The realm's name.
    pub name: &'static str,
    /// The KDC's port on 127.0.0.1.
    pub port: u16,
    work: PathBuf,
    _kdc: Child,
}

/// The realms of the test binary, and what the client side reads.
pub struct Realms {
    /// EWS.TEST, its KDC's clock right.
    pub main: Realm,
    /// SKEW.TEST, its KDC's clock an hour ahead.
    pub skewed: Realm,
    /// A port no KDC listens on (the KDC of DOWN.TEST).
    pub down_port: u16,
    /// The client's krb5.conf (`KRB5_CONFIG`).
    pub krb5_conf: PathBuf,
    /// The client's credential cache (`KRB5CCNAME`), empty at the start.
    pub ccache: PathBuf,
    root: PathBuf,
}

/// `$EWS_KRB5_ROOT`, or `None` with the reason printed. Under CI it must be set.
fn krb5_root() -> Option<PathBuf> {
    match std::env::var_os("EWS_KRB5_ROOT") {
        Some(root) => Some(PathBuf::from(root)),
        None if std::env::var_os("CI").is_some() => panic!(
            "EWS_KRB5_ROOT is not set: CI must unpack MIT Kerberos (tests/tools/krb5_packages.sh)"
        ),
        None => {
            eprintln!(
                "skipped: set EWS_KRB5_ROOT to MIT Kerberos unpacked by \
                 tests/tools/krb5_packages.sh (and EWS_PYTHON) to run this test"
            );
            None
        }
    }
}

/// Starts a realm `name` of its own (not among [`realms`]), its KDC's clock right; `None`
/// (said on standard error) without MIT Kerberos or Python.
pub fn lone_realm(name: &'static str) -> Option<Realm> {
    Some(start(&krb5_root()?, &python()?, name, None))
}

impl Realm {
    /// Starts the endpoint offering `scheme` with `options`, its Kerberos acceptor holding
    /// this realm's service keys and reading the realm's own krb5.conf.
    pub fn endpoint(&self, scheme: &str, options: &[&str]) -> Endpoint {
        let root = krb5_root().expect("the realm started");
        let answer = crate::common::page_fixture("response.xml");
        let env = acceptor_env(&root, &self.work.join("krb5.conf"), self);
        Endpoint::with_env(scheme, &answer, options, env).expect("Python is there")
    }
}

/// The environment of an endpoint's Kerberos acceptor in `realm`, reading `krb5_conf`: the
/// service keys, MIT's libraries and python-gssapi.
fn acceptor_env(root: &Path, krb5_conf: &Path, realm: &Realm) -> Vec<(&'static str, OsString)> {
    let lib = root.join("usr/lib/x86_64-linux-gnu");
    let site = root.join("usr/lib/python3/dist-packages");
    vec![
        ("KRB5_CONFIG", krb5_conf.into()),
        ("KRB5_KTNAME", realm.work.join("http.keytab").into()),
        ("KRB5RCACHEDIR", realm.work.clone().into()),
        ("LD_LIBRARY_PATH", lib.into()),
        ("PYTHONPATH", site.into()),
    ]
}

/// Starts a realm `name`'s KDC from `root`; with `offset`, its clock runs that many seconds
/// ahead.
fn start(root: &Path, python: &str, name: &'static str, offset: Option<i64>) -> Realm {
    let work = tmp(&format!("realm-{name}"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/kdc.py");
    let mut command = Command::new(python);
    command
        .arg(script)
        .arg(root)
        .arg(&work)
        .args(["--realm", name]);
    if let Some(offset) = offset {
        command.args(["--offset", &offset.to_string()]);
    }
    // The KDC ends when its standard input closes, with this process.
    let mut kdc = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the KDC starts");
    let mut line = String::new();
    BufReader::new(kdc.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("kdc.py printed {line:?}, not the KDC's port"));
    Realm {
        name,
        port,
        work,
        _kdc: kdc,
    }
}

/// The realms, started at the first call; `None` (said on standard error) without MIT
/// Kerberos or Python to run them.
pub fn realms() -> Option<&'static Realms> {
    static REALMS: OnceLock<Option<Realms>> = OnceLock::new();
    REALMS
        .get_or_init(|| {
            let root = krb5_root()?;
            let python = python()?;
            let main = start(&root, &python, "EWS.TEST", None);
            let skewed = start(&root, &python, "SKEW.TEST", Some(3600));
            let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let down_port = closed.local_addr().unwrap().port();
            drop(closed);
            let dir = tmp("client");
            std::fs::create_dir_all(&dir).unwrap();
            let krb5_conf = dir.join("krb5.conf");
            // TCP only (udp_preference_limit = 1): the KDCs listen on TCP, and DOWN.TEST's
            // refusal comes at once. kdc_timesync = 0: a client whose clock is off is told so,
            // instead of taking the KDC's time.
            std::fs::write(
                &krb5_conf,
                format!(
                    "[libdefaults]\n default_realm = EWS.TEST\n dns_lookup_kdc = false\n \
                     dns_lookup_realm = false\n rdns = false\n dns_canonicalize_hostname = false\n \
                     udp_preference_limit = 1\n kdc_timesync = 0\n\
                     [realms]\n EWS.TEST = {{\n  kdc = 127.0.0.1:{}\n }}\n \
                     SKEW.TEST = {{\n  kdc = 127.0.0.1:{}\n }}\n \
                     DOWN.TEST = {{\n  kdc = 127.0.0.1:{down_port}\n }}\n\
                     [domain_realm]\n localhost = EWS.TEST\n",
                    main.port, skewed.port
                ),
            )
            .unwrap();
            let ccache = dir.join("ccache");
            // Set once, before any Kerberos call of this process, and never again.
            std::env::set_var("KRB5_CONFIG", &krb5_conf);
            std::env::set_var("KRB5CCNAME", format!("FILE:{}", ccache.display()));
            Some(Realms {
                main,
                skewed,
                down_port,
                krb5_conf,
                ccache,
                root,
            })
        })
        .as_ref()
}

impl Realms {
    /// Starts the endpoint offering `scheme` with `options`, its Kerberos acceptor holding
    /// the service keys of `realm` and reading the realms' krb5.conf.
    pub fn endpoint(&self, realm: &Realm, scheme: &str, options: &[&str]) -> Endpoint {
        let answer = crate::common::page_fixture("response.xml");
        let env = acceptor_env(&self.root, &self.krb5_conf, realm);
        Endpoint::with_env(scheme, &answer, options, env)
            .expect("the realms started, so Python is there")
    }

    /// Runs MIT's `kinit` for `principal` with `password` into the credential cache.
    pub fn kinit(&self, principal: &str, password: &str) {
        use std::io::Write;
        let mut kinit = Command::new(self.root.join("usr/bin/kinit"))
            .arg(principal)
            .env(
                "LD_LIBRARY_PATH",
                self.root.join("usr/lib/x86_64-linux-gnu"),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("kinit starts");
        writeln!(kinit.stdin.take().unwrap(), "{password}").unwrap();
        assert!(kinit.wait().unwrap().success(), "kinit {principal}");
    }
}
