//! Exports of a mailbox served on loopback (`ews_bindings::mock::Mailbox`, no delay):
//! 2,000 messages of 20 KB in one folder, from nothing to the last file, with 1 and 4
//! GetItem requests at once; throughput in messages (the MIME's size is printed, for
//! bytes per second).
//!
//! ```sh
//! EWS_SCHEMA_DIR=../../shared/ews-schema cargo bench --manifest-path export/Cargo.toml
//! ```

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ews_bindings::Client;
use ews_export::{export, Options, Progress};

const MESSAGES: usize = 2_000;
const PADDING: usize = 20_000;

fn whole_export(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mailbox = ews_bindings::mock::Mailbox::default();
    mailbox.folder("inbox", "root", "Inbox", "IPF.Note");
    mailbox.add_sized("inbox", MESSAGES, PADDING);
    let bytes: usize = mailbox.messages("inbox").values().map(Vec::len).sum();
    println!("{MESSAGES} messages, {:.1} MB of MIME", bytes as f64 / 1e6);
    let server = runtime.block_on(mailbox.serve(Duration::ZERO)).unwrap();
    let client = Client::builder(server.url())
        .max_response_bytes(1 << 30)
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join("ews-export-bench");
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    for concurrency in [1, 4] {
        let options = Options {
            concurrency,
            ..Options::new(&dir)
        };
        group.throughput(Throughput::Elements(MESSAGES as u64));
        group.bench_function(BenchmarkId::new("messages", concurrency), |b| {
            b.iter(|| {
                let _ = std::fs::remove_dir_all(&dir);
                let report = runtime
                    .block_on(export(&client, &options, &mut |_: Progress| {}))
                    .unwrap();
                assert_eq!(report.messages, MESSAGES as u64);
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, whole_export);
criterion_main!(benches);
