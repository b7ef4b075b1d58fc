//! ews-export against a mailbox on the loopback endpoint (`mock::Mailbox`): a whole
//! export, an incremental one, each format, items that vanish or fail, a busy server, and
//! the program killed at random moments and run again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ews_bindings::mock::Mailbox;
use ews_bindings::{Client, RetryPolicy};
use ews_export::{export, Format, Options, Progress, Report};

/// The mailbox: an Inbox with nested folders named in several scripts, two of the same
/// name, and a calendar.
fn mailbox() -> Mailbox {
    let mailbox = Mailbox::default();
    mailbox.folder("inbox", "root", "Inbox", "IPF.Note");
    mailbox.folder("projects", "inbox", "Projets été 2026", "IPF.Note");
    mailbox.folder("deep", "projects", "Αρχείο/παλιά", "IPF.Note");
    mailbox.folder("twin-a", "inbox", "Reports", "IPF.Note");
    mailbox.folder("twin-b", "inbox", "Reports", "IPF.Note.Custom");
    mailbox.folder("calendar", "root", "Calendar", "IPF.Appointment");
    mailbox
}

fn out(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .retry(RetryPolicy {
            default_back_off: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

async fn run(url: &str, options: &Options) -> Report {
    export(&client(url), options, &mut |_: Progress| {})
        .await
        .unwrap()
}

/// Every message file of the folder exported to `dir` (its Maildir's `cur/`, or its
/// `.eml` files), by file name, with its bytes; fails on anything half-written left
/// behind (a file in the Maildir's `tmp/`, a `.partial` file).
fn files(dir: &Path, format: Format) -> BTreeMap<String, Vec<u8>> {
    let messages = match format {
        Format::Maildir => dir.join("cur"),
        Format::Eml => dir.to_owned(),
        Format::Mbox => panic!("an mbox is read with mbox()"),
    };
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&messages).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            !name.ends_with(".partial"),
            "left behind: {}",
            path.display()
        );
        if path.is_file() {
            out.insert(name, std::fs::read(&path).unwrap());
        }
    }
    if format == Format::Maildir {
        let left: Vec<_> = std::fs::read_dir(dir.join("tmp")).unwrap().collect();
        assert!(
            left.is_empty(),
            "left behind in {}/tmp: {left:?}",
            dir.display()
        );
    }
    out
}

/// The messages of the mbox file of the folder exported to `dir`, read back as mboxrd
/// readers read them (`From ` lines split them, one `>` comes off quoted `From ` lines,
/// CRLF line ends as the server sent them), sorted.
fn mbox(dir: &Path) -> Vec<Vec<u8>> {
    let text = std::fs::read(dir.join("mbox")).unwrap();
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in text.split(|b| *b == b'\n') {
        if line.starts_with(b"From ") {
            messages.extend(current.take());
            current = Some(Vec::new());
            continue;
        }
        let message = current.as_mut().expect("the mbox starts with a From line");
        let unquoted = line.iter().position(|b| *b != b'>').unwrap_or(line.len());
        let line = match unquoted > 0 && line[unquoted..].starts_with(b"From ") {
            true => &line[1..],
            false => line,
        };
        message.extend_from_slice(line);
        message.extend_from_slice(b"\r\n");
    }
    messages.extend(current);
    // Each entry ends with the message's last line end, then a blank line, then the
    // split's empty last piece.
    for message in &mut messages {
        assert!(
            message.ends_with(b"\r\n\r\n"),
            "{:?}",
            String::from_utf8_lossy(message)
        );
        message.truncate(message.len() - 2);
    }
    if let Some(last) = messages.last_mut() {
        assert!(last.ends_with(b"\r\n"));
        last.truncate(last.len() - 2);
    }
    messages.sort();
    messages
}

/// The server's messages of `folder`, sorted, as `mbox` gives them back.
fn mbox_expected(mailbox: &Mailbox, folder: &str) -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = mailbox.messages(folder).into_values().collect();
    messages.sort();
    messages
}

/// The files a folder of `mailbox` should have: one per message, named from its id.
fn expected(mailbox: &Mailbox, folder: &str, format: Format) -> BTreeMap<String, Vec<u8>> {
    mailbox
        .messages(folder)
        .into_iter()
        .map(|(id, mime)| {
            let path = format.path(Path::new(""), &id);
            (path.file_name().unwrap().to_str().unwrap().to_owned(), mime)
        })
        .collect()
}

const FOLDERS: [(&str, &str); 5] = [
    ("inbox", "Inbox"),
    ("projects", "Inbox/Projets été 2026"),
    ("deep", "Inbox/Projets été 2026/Αρχείο_παλιά"),
    ("twin-a", "Inbox/Reports"),
    ("twin-b", "Inbox/Reports (2)"),
];

#[tokio::test]
async fn a_whole_export_then_only_what_changed() {
    let mailbox = mailbox();
    for (folder, count) in [
        ("inbox", 700),
        ("projects", 30),
        ("deep", 3),
        ("twin-a", 2),
        ("twin-b", 1),
    ] {
        mailbox.add(folder, count);
    }
    mailbox.add("calendar", 4);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let dir = out("whole");
    let report = run(&server.url(), &Options::new(&dir)).await;
    assert_eq!(report.messages, 736);
    assert_eq!(report.folders, 5);
    assert_eq!(
        report.other_folders,
        [(PathBuf::from("Calendar"), "IPF.Appointment".to_owned())]
    );
    assert!(report.failed.is_empty());
    for (folder, path) in FOLDERS {
        assert_eq!(
            files(&dir.join(path), Format::Maildir),
            expected(&mailbox, folder, Format::Maildir),
            "{path}"
        );
    }
    assert!(!dir.join("Calendar").exists());

    // Five new, two deleted: the rerun fetches the five; the deleted stay (an archive).
    let fetched = mailbox.fetched().len();
    let kept: Vec<String> = mailbox.messages("inbox").into_keys().take(2).collect();
    let new = mailbox.add("inbox", 5);
    for id in &kept {
        mailbox.delete(id);
    }
    let report = run(&server.url(), &Options::new(&dir)).await;
    assert_eq!(report.messages, 5);
    assert_eq!(mailbox.fetched()[fetched..], new[..]);
    let inbox = files(&dir.join("Inbox"), Format::Maildir);
    assert_eq!(inbox.len(), 705);
    for id in &kept {
        assert!(inbox.contains_key(&format!("{}:2,", ews_export::store::name(id))));
    }
}

/// With `mirror`, what the server deleted or moved away goes; without, it stays.
#[tokio::test]
async fn mirror_removes_what_the_server_deleted() {
    for format in [Format::Maildir, Format::Eml] {
        let mailbox = mailbox();
        let ids = mailbox.add("inbox", 20);
        mailbox.add("projects", 5);
        let server = mailbox.serve(Duration::ZERO).await.unwrap();
        let dir = out(&format!("mirror-{format:?}"));
        let options = Options {
            format,
            mirror: true,
            ..Options::new(&dir)
        };
        run(&server.url(), &options).await;
        for id in &ids[..4] {
            mailbox.delete(id);
        }
        let report = run(&server.url(), &options).await;
        assert_eq!(report.removed, 4);
        assert_eq!(
            files(&dir.join("Inbox"), format),
            expected(&mailbox, "inbox", format)
        );
        assert_eq!(
            files(&dir.join("Inbox").join("Projets été 2026"), format).len(),
            5
        );
    }
}

/// `--autodiscover` finds the EWS URL (Autodiscover v2 on a loopback host) and exports.
#[tokio::test]
async fn the_program_finds_the_server_with_autodiscover() {
    let mailbox = mailbox();
    mailbox.add("inbox", 3);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let url = server.url();
    let host = url.trim_end_matches("/EWS/Exchange.asmx");
    let dir = out("autodiscover");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ews-export"))
        .args([
            "--autodiscover",
            "ann@contoso.com",
            "--autodiscover-host",
            host,
            "--out",
        ])
        .arg(&dir)
        .output()
        .await
        .unwrap();
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{err}");
    assert!(
        err.starts_with(&format!("Autodiscover: {}", server.url())),
        "{err}"
    );
    assert_eq!(
        files(&dir.join("Inbox"), Format::Maildir),
        expected(&mailbox, "inbox", Format::Maildir)
    );
}

/// `--public-folders` exports the public folder tree: FindFolder a level at a time, routed
/// to the hierarchy mailbox, and each folder's items (FindItem, GetItem) routed to the
/// mailbox holding its content, both found with SOAP Autodiscover; a folder whose content
/// mailbox is not found is reported and the others exported. A rerun fetches only the new
/// items; with `--mirror`, what is gone goes.
#[tokio::test]
async fn the_public_folders() {
    const SALES: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    const ARCHIVE: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let mailbox = mailbox();
    mailbox.public_folder("pf-sales", "public-root", "Sales", "IPF.Note", SALES);
    mailbox.public_folder("pf-2026", "pf-sales", "Ventes 2026", "IPF.Note", ARCHIVE);
    mailbox.public_folder("pf-team", "public-root", "Team", "IPF.Appointment", SALES);
    mailbox.public_folder(
        "pf-lost",
        "public-root",
        "Lost",
        "IPF.Note",
        Mailbox::UNKNOWN_MAILBOX,
    );
    mailbox.add("pf-lost", 1);
    mailbox.add("inbox", 2);
    mailbox.add("pf-sales", 3);
    let old = mailbox.add("pf-2026", 4);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let url = server.url();
    let host = url.trim_end_matches("/EWS/Exchange.asmx").to_owned();
    let dir = out("public-folders");
    let export = || async {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ews-export"))
            .args([
                "--autodiscover",
                "ann@contoso.com",
                "--autodiscover-host",
                &host,
            ])
            .args(["--public-folders", "--mirror", "--out"])
            .arg(&dir)
            .output()
            .await
            .unwrap();
        let err = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(
            err.contains("Lost")
                && err.contains("the mailbox holding the folder's content was not found"),
            "{err}"
        );
    };
    export().await;
    let check = || {
        for (folder, path) in [("pf-sales", "Sales"), ("pf-2026", "Sales/Ventes 2026")] {
            assert_eq!(
                files(&dir.join(path), Format::Maildir),
                expected(&mailbox, folder, Format::Maildir),
                "{path}"
            );
        }
        assert!(!dir.join("Inbox").exists());
        assert!(!dir.join("Team").exists());
        assert!(!dir.join("Lost").exists());
    };
    check();

    // Each request went where the public folders it is about live.
    let items_of = |folder: &str| mailbox.messages(folder).into_keys().collect::<Vec<_>>();
    let (sales, archive) = (items_of("pf-sales"), items_of("pf-2026"));
    let mut seen = BTreeMap::new();
    let ews = server
        .requests()
        .into_iter()
        .filter(|r| !r.path.starts_with("/autodiscover/"));
    for request in ews {
        let action = request.header("soapaction").unwrap();
        let operation = action
            .trim_matches('"')
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        let text = request.text();
        let about = |ids: &[String], folder: &str| {
            text.contains(&format!("Id=\"{folder}\"")) || ids.iter().any(|id| text.contains(id))
        };
        let expected = match operation.as_str() {
            "FindFolder" => (
                "pf-hierarchy@contoso.com".to_owned(),
                Mailbox::HIERARCHY_SERVER.to_owned(),
            ),
            "FindItem" | "GetItem" if about(&sales, "pf-sales") => {
                let content = format!("pf-{SALES}@contoso.com");
                (content.clone(), content)
            }
            "FindItem" | "GetItem" if about(&archive, "pf-2026") => {
                let content = format!("pf-{ARCHIVE}@contoso.com");
                (content.clone(), content)
            }
            other => panic!("{other}: {text}"),
        };
        let routed = (
            request
                .header("x-anchormailbox")
                .unwrap_or_default()
                .to_owned(),
            request
                .header("x-publicfoldermailbox")
                .unwrap_or_default()
                .to_owned(),
        );
        assert_eq!(routed, expected, "{operation}: {text}");
        *seen.entry(operation).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 3, "{seen:?}");

    // Two new messages, one deleted: only the new ones are fetched.
    let fetched = mailbox.fetched().len();
    let new = mailbox.add("pf-2026", 2);
    mailbox.delete(&old[0]);
    export().await;
    check();
    assert_eq!(mailbox.fetched()[fetched..], new[..]);
}

/// `archive` exports the archive mailbox's folders, not the mailbox's.
#[tokio::test]
async fn the_archive_mailbox() {
    let mailbox = mailbox();
    mailbox.folder("archive-inbox", "archive-root", "Inbox", "IPF.Note");
    mailbox.folder("archive-2019", "archive-inbox", "2019", "IPF.Note");
    mailbox.add("inbox", 3);
    mailbox.add("archive-inbox", 4);
    mailbox.add("archive-2019", 5);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let dir = out("archive");
    let options = Options {
        archive: true,
        ..Options::new(&dir)
    };
    let report = run(&server.url(), &options).await;
    assert_eq!((report.folders, report.messages), (2, 9));
    assert_eq!(
        files(&dir.join("Inbox"), Format::Maildir),
        expected(&mailbox, "archive-inbox", Format::Maildir)
    );
    assert_eq!(
        files(&dir.join("Inbox/2019"), Format::Maildir),
        expected(&mailbox, "archive-2019", Format::Maildir)
    );
}

#[tokio::test]
async fn eml_files_and_one_folder() {
    let mailbox = mailbox();
    mailbox.add("inbox", 3);
    mailbox.add("projects", 4);
    mailbox.add("deep", 2);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let dir = out("eml");
    let options = Options {
        format: Format::Eml,
        folders: vec!["Inbox/Projets été 2026".into()],
        ..Options::new(&dir)
    };
    let report = run(&server.url(), &options).await;
    assert_eq!(report.messages, 6);
    assert_eq!(report.folders, 2);
    let projects = dir.join("Inbox/Projets été 2026");
    assert_eq!(
        files(&projects, Format::Eml),
        expected(&mailbox, "projects", Format::Eml)
    );
    assert_eq!(
        files(&projects.join("Αρχείο_παλιά"), Format::Eml),
        expected(&mailbox, "deep", Format::Eml)
    );
    assert!(files(&dir.join("Inbox"), Format::Eml).is_empty());
}

/// Connections dropped halfway through answers (listing the folders, synchronizing,
/// fetching): each folder goes on from its saved state, and the export ends whole.
#[tokio::test]
async fn dropped_connections_are_gone_on_from() {
    let mailbox = mailbox();
    mailbox.add("inbox", 120);
    mailbox.add("deep", 30);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let dir = out("dropped");
    let options = Options {
        batch: 20,
        reconnect_wait: Duration::from_millis(5),
        ..Options::new(&dir)
    };
    // The folder listing, then the first sync and fetches.
    mailbox.drop_connections(4);
    let report = run(&server.url(), &options).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    for (folder, path) in [
        ("inbox", "Inbox"),
        ("deep", "Inbox/Projets été 2026/Αρχείο_παλιά"),
    ] {
        assert_eq!(
            files(&dir.join(path), Format::Maildir),
            expected(&mailbox, folder, Format::Maildir),
            "{path}"
        );
    }
    // More drops in a row than the options allow: the run fails, saying why.
    mailbox.add("inbox", 5);
    mailbox.drop_connections(10);
    let few = Options {
        reconnects: 2,
        ..options
    };
    let err = export(&client(&server.url()), &few, &mut |_: Progress| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ews_export::ExportError::Ews(e) if e.is_connection_lost()),
        "{err:?}"
    );
}

/// An item deleted between the sync and the fetch is no failure; one the server refuses
/// is reported, and fetched on the next run; a busy server is waited for; a folder the
/// server will not synchronize is reported and the others exported.
#[tokio::test]
async fn vanished_refused_and_busy() {
    let mailbox = mailbox();
    let ids = mailbox.add("inbox", 60);
    mailbox.vanish(&ids[3]);
    mailbox.refuse(&ids[7]);
    mailbox.busy(2);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let dir = out("failures");
    let report = run(&server.url(), &Options::new(&dir)).await;
    assert_eq!(report.messages, 58);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].1, ids[7]);
    assert!(
        report.failed[0].2.contains("ErrorAccessDenied"),
        "{:?}",
        report.failed
    );
    let listed = std::fs::read_to_string(dir.join(".ews-export").join(ews_export::FAILED)).unwrap();
    let line = format!("Inbox\t{}\tEWS error ErrorAccessDenied", ids[7]);
    assert!(listed.starts_with(&line), "{listed}");
    assert_eq!(listed.lines().count(), 1);

    // A folder the server will not synchronize is reported; the others go on.
    mailbox.add("twin-a", 2);
    mailbox.accept_all();
    mailbox.refuse("projects");
    let report = run(&server.url(), &Options::new(&dir)).await;
    assert_eq!(report.messages, 3);
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed[0].0, PathBuf::from("Inbox/Projets été 2026"));
    assert!(
        report.failed[0].2.contains("ErrorAccessDenied"),
        "{:?}",
        report.failed
    );
    mailbox.accept_all();
    let report = run(&server.url(), &Options::new(&dir)).await;
    assert_eq!(report.messages, 0);
    assert!(report.failed.is_empty());
    assert!(!dir.join(".ews-export").join(ews_export::FAILED).exists());
    assert_eq!(
        files(&dir.join("Inbox"), Format::Maildir),
        expected(&mailbox, "inbox", Format::Maildir)
    );
}

/// The program (with `--mirror`) killed at random moments (SIGKILL), run again each time,
/// the server changing meanwhile, then run to the end: the folders hold exactly the
/// server's messages, nothing twice, nothing half-written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_any_moment_and_run_again() {
    let mailbox = filled_mailbox();
    let server = mailbox.serve(Duration::from_millis(10)).await.unwrap();
    let dir = out("killed");
    kill_and_run_again(&server.url(), &dir, &["--mirror"], |round| {
        if round == 3 {
            // The server changes between runs too.
            let gone: Vec<String> = mailbox.messages("projects").into_keys().take(3).collect();
            mailbox.add("inbox", 10);
            for id in gone {
                mailbox.delete(&id);
            }
        }
    })
    .await;
    for (folder, path) in FOLDERS {
        let got = files(&dir.join(path), Format::Maildir);
        assert_eq!(got, expected(&mailbox, folder, Format::Maildir), "{path}");
    }
}

/// The same with mbox files, messages added between runs: each mbox holds each of its
/// folder's messages once, whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbox_killed_at_any_moment_and_run_again() {
    let mailbox = filled_mailbox();
    let server = mailbox.serve(Duration::from_millis(10)).await.unwrap();
    let dir = out("killed-mbox");
    kill_and_run_again(&server.url(), &dir, &["--format", "mbox"], |round| {
        if round == 3 {
            mailbox.add("inbox", 10);
            mailbox.add("deep", 2);
        }
    })
    .await;
    for (folder, path) in FOLDERS {
        assert_eq!(
            mbox(&dir.join(path)),
            mbox_expected(&mailbox, folder),
            "{path}"
        );
    }
}

/// The same for public folders, listed with FindItem rather than synchronized: killed and
/// run again (`--public-folders --mirror`, unrouted), the server changing between runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_folders_killed_at_any_moment_and_run_again() {
    const GUID: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    let mailbox = mailbox();
    mailbox.public_folder("pf-sales", "public-root", "Sales", "IPF.Note", GUID);
    mailbox.public_folder("pf-2026", "pf-sales", "2026", "IPF.Note", GUID);
    mailbox.add("pf-sales", 450);
    mailbox.add("pf-2026", 150);
    let server = mailbox.serve(Duration::from_millis(10)).await.unwrap();
    let dir = out("killed-public");
    kill_and_run_again(
        &server.url(),
        &dir,
        &["--public-folders", "--mirror"],
        |round| {
            if round == 3 {
                let gone: Vec<String> = mailbox.messages("pf-2026").into_keys().take(3).collect();
                mailbox.add("pf-sales", 10);
                for id in gone {
                    mailbox.delete(&id);
                }
            }
        },
    )
    .await;
    for (folder, path) in [("pf-sales", "Sales"), ("pf-2026", "Sales/2026")] {
        let got = files(&dir.join(path), Format::Maildir);
        assert_eq!(got, expected(&mailbox, folder, Format::Maildir), "{path}");
    }
}

/// The mailbox with 600 messages in its five mail folders.
fn filled_mailbox() -> Mailbox {
    let mailbox = mailbox();
    for (folder, count) in [
        ("inbox", 400),
        ("projects", 120),
        ("deep", 40),
        ("twin-a", 20),
        ("twin-b", 20),
    ] {
        mailbox.add(folder, count);
    }
    mailbox
}

/// Runs the program against `url` into `dir` with `extra` arguments eight times, each
/// killed (SIGKILL) after a random 1–15 % of the time a whole run takes on this machine
/// unless it ended first, `between` called after each; then once to its end. At least four
/// runs must have been killed: four kills come at most 60 % of a whole run into the work,
/// on a fast machine as on a slow one.
async fn kill_and_run_again(url: &str, dir: &Path, extra: &[&str], mut between: impl FnMut(usize)) {
    let timed = out(&format!(
        "{}-timed",
        dir.file_name().unwrap().to_str().unwrap()
    ));
    let started = std::time::Instant::now();
    let status = program(url, &timed, extra).status().await.unwrap();
    assert!(status.success(), "the whole run");
    let whole = started.elapsed();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut killed = 0;
    for round in 0..8 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let after = whole.mul_f64((1 + seed % 15) as f64 / 100.0);
        let mut child = program(url, dir, extra).spawn().unwrap();
        tokio::select! {
            status = child.wait() => assert!(status.unwrap().success(), "round {round}"),
            _ = tokio::time::sleep(after) => {
                child.kill().await.unwrap();
                killed += 1;
            }
        }
        between(round);
    }
    assert!(
        killed >= 4,
        "only {killed} runs were killed before they ended"
    );
    assert!(program(url, dir, extra).status().await.unwrap().success());
}

/// The program against `url` into `dir` with `extra` arguments, its diagnostics dropped.
fn program(url: &str, dir: &Path, extra: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ews-export"));
    command
        .args(["--url", url, "--out", dir.to_str().unwrap()])
        .args(extra)
        .stderr(std::process::Stdio::null());
    command
}

/// An mbox per folder: what is new is appended, nothing twice; `mirror` is refused.
#[tokio::test]
async fn mbox_files_and_what_is_new() {
    let mailbox = mailbox();
    mailbox.add("inbox", 30);
    mailbox.add("deep", 3);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let dir = out("mbox");
    let options = Options {
        format: Format::Mbox,
        ..Options::new(&dir)
    };
    assert_eq!(run(&server.url(), &options).await.messages, 33);
    mailbox.add("inbox", 5);
    assert_eq!(run(&server.url(), &options).await.messages, 5);
    assert_eq!(mbox(&dir.join("Inbox")), mbox_expected(&mailbox, "inbox"));
    assert_eq!(
        mbox(&dir.join("Inbox/Projets été 2026/Αρχείο_παλιά")),
        mbox_expected(&mailbox, "deep")
    );
    let text = std::fs::read_to_string(dir.join("Inbox/mbox")).unwrap();
    assert!(text.contains("\n>From the desk of Ann,\n>>From a quoted reply.\n"));
    let mirror = Options {
        mirror: true,
        ..options
    };
    let refused = export(&client(&server.url()), &mirror, &mut |_: Progress| {}).await;
    assert!(
        matches!(refused, Err(ews_export::ExportError::Usage(_))),
        "{refused:?}"
    );
}

/// Not on a terminal, the program says each folder on a line of its own, each message it
/// could not export, and a summary; the status says some failed.
#[tokio::test]
async fn the_program_reports_in_lines() {
    let mailbox = mailbox();
    let ids = mailbox.add("inbox", 12);
    mailbox.add("deep", 2);
    mailbox.refuse(&ids[5]);
    let server = mailbox.serve(Duration::ZERO).await.unwrap();
    let dir = out("lines");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ews-export"))
        .args(["--url", &server.url(), "--out"])
        .arg(&dir)
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[0], "Inbox", "{err}");
    assert!(
        lines.contains(&"Inbox/Projets été 2026/Αρχείο_παλιά"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "failed: Inbox item {}: EWS error ErrorAccessDenied",
            ids[5]
        )),
        "{err}"
    );
    let summary = lines.last().unwrap();
    assert!(
        summary.starts_with("13 messages (0.0 MB) from 5 folders in "),
        "{summary}"
    );
    assert!(
        summary.ends_with(
            "0 removed; 1 failed; 1 folder of other items (calendar, contacts, tasks, …) left out"
        ),
        "{summary}"
    );
}
