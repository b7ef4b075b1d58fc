//! Parse and write speed of the generated bindings against the practical limit, a raw
//! quick-xml event scan of the same bytes (with quick-xml 0.42, which checks each event's
//! UTF-8, and 0.41, which does not), on synthetic GetImItemList responses of 1, 100,
//! 1,000 and 10,000 personas (`ews_bindings::mock::workload`) and of 10,000 personas in the
//! documentation's shape, compact and indented; with `all-operations` (and
//! the whole schema) also on FindItem and GetItem answers of 10,000 messages, read into
//! per-item results. Throughput is in bytes of the input (for writing: of the bytes
//! written; the `json` runs write the parsed answer as JSON). The parsed model is dropped outside the timed part, as the raw scan builds
//! none; `examples/parse_file` reports the drop time. The `each` runs read one item at a
//! time (`soap::read_response_each`) and drop each item as it comes, inside the timed part.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use ews_bindings::from_xml_str;
use ews_bindings::messages::{self, GetImItemListResponseMessage};
use ews_bindings::mock::workload::{documented_persona_response, im_item_list_response};
use ews_bindings::operation::GetImItemList;
use ews_bindings::soap::{read_response, read_response_each, write_request, RequestHeaders};
use ews_bindings::types;
use ews_bindings::xml::{Limits, XmlWriter};
use quick_xml::events::Event;
use std::hint::black_box;

const SIZES: [usize; 4] = [1, 100, 1_000, 10_000];

/// The body element alone, as its own document (namespaces declared on it).
fn body_of(envelope: &str) -> String {
    let start = envelope.find("<m:GetImItemListResponse").unwrap();
    let end = envelope.find("</s:Body>").unwrap();
    envelope[start..end].to_owned()
}

/// Every event read, every text and attribute value unescaped, nothing kept.
fn raw_scan(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut n = 0;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                for a in e.attributes() {
                    n += a
                        .unwrap()
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .len();
                }
            }
            Event::Text(t) => n += t.xml10_content().len(),
            Event::GeneralRef(r) => n += r.into_inner().len(),
            Event::Eof => return n,
            _ => n += 1,
        }
    }
}

/// The same loop over quick-xml 0.41, whose events are bytes: it checks no UTF-8, and here
/// only the texts and values it decodes.
fn raw_scan_041(xml: &str) -> usize {
    use quick_xml_041::events::Event;
    let mut reader = quick_xml_041::Reader::from_str(xml);
    let mut n = 0;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                for a in e.attributes() {
                    n += a
                        .unwrap()
                        .normalized_value(quick_xml_041::XmlVersion::Implicit1_0)
                        .unwrap()
                        .len();
                }
            }
            Event::Text(t) => {
                n += t
                    .xml_content(quick_xml_041::XmlVersion::Implicit1_0)
                    .unwrap()
                    .len()
            }
            Event::GeneralRef(r) => n += r.into_inner().len(),
            Event::Eof => return n,
            _ => n += 1,
        }
    }
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for personas in SIZES {
        let envelope = im_item_list_response(personas, 7);
        let body = body_of(&envelope);
        if personas >= 1_000 {
            group.sample_size(10);
        }
        group.throughput(Throughput::Bytes(envelope.len() as u64));
        group.bench_with_input(BenchmarkId::new("raw_scan", personas), &envelope, |b, x| {
            b.iter(|| raw_scan(black_box(x)))
        });
        group.bench_with_input(
            BenchmarkId::new("raw_scan_041", personas),
            &envelope,
            |b, x| b.iter(|| raw_scan_041(black_box(x))),
        );
        group.bench_with_input(BenchmarkId::new("envelope", personas), &envelope, |b, x| {
            b.iter_batched(
                || (),
                |()| read_response::<GetImItemList>(black_box(x.as_bytes())).unwrap(),
                BatchSize::PerIteration,
            )
        });
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("body", personas), &body, |b, x| {
            b.iter_batched(
                || (),
                |()| from_xml_str::<GetImItemListResponseMessage>(black_box(x)).unwrap(),
                BatchSize::PerIteration,
            )
        });
    }
    // The documentation's persona shape (many small elements and attributes, little text),
    // compact with prefixes as servers send it, compact with the personas in a default
    // namespace as the documentation's sample writes them, and indented as the
    // documentation shows it.
    for (name, shape) in [
        ("documented_compact", Shape::Prefixed),
        ("documented_default_ns", Shape::DefaultNamespace),
        ("documented_indented", Shape::Indented),
    ] {
        let envelope = documented(shape);
        group.sample_size(10);
        group.throughput(Throughput::Bytes(envelope.len() as u64));
        group.bench_with_input(BenchmarkId::new("raw_scan", name), &envelope, |b, x| {
            b.iter(|| raw_scan(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("raw_scan_041", name), &envelope, |b, x| {
            b.iter(|| raw_scan_041(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("envelope", name), &envelope, |b, x| {
            b.iter_batched(
                || (),
                |()| read_response::<GetImItemList>(black_box(x.as_bytes())).unwrap(),
                BatchSize::PerIteration,
            )
        });
        group.bench_with_input(BenchmarkId::new("each", name), &envelope, |b, x| {
            b.iter_batched(
                || (),
                |()| each::<GetImItemList, types::Persona>(x),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// How the documented persona answer is written.
#[derive(Clone, Copy)]
enum Shape {
    Prefixed,
    DefaultNamespace,
    Indented,
}

/// 10,000 personas in the documentation's shape, written as `shape` says.
fn documented(shape: Shape) -> String {
    let envelope = documented_persona_response(10_000, matches!(shape, Shape::Indented), 7);
    let Shape::DefaultNamespace = shape else {
        return envelope;
    };
    // The personas' elements unprefixed, in the types namespace made the default.
    let start = envelope.find("<t:Personas>").unwrap();
    let end = envelope.find("</t:Personas>").unwrap() + "</t:Personas>".len();
    let personas = envelope[start..end]
        .replacen(
            "<t:Personas>",
            r#"<Personas xmlns="http://schemas.microsoft.com/exchange/services/2006/types">"#,
            1,
        )
        .replace("<t:", "<")
        .replace("</t:", "</");
    format!("{}{personas}{}", &envelope[..start], &envelope[end..])
}

/// Reads `xml` as `O`'s answer handing out each `T` (dropped at once, inside the timed part)
/// and returns how many there were and the rest of the answer.
fn each<O: ews_bindings::operation::Operation, T: 'static>(xml: &str) -> (usize, O::Response) {
    let mut count = 0;
    let rest = read_response_each::<O, T>(black_box(xml.as_bytes()), &Limits::default(), |t| {
        count += 1;
        drop(black_box(t))
    })
    .unwrap();
    (count, rest.body)
}

fn write(c: &mut Criterion) {
    let mut group = c.benchmark_group("write");
    for personas in SIZES {
        let envelope = im_item_list_response(personas, 7);
        let parsed = read_response::<GetImItemList>(envelope.as_bytes())
            .unwrap()
            .body;
        let write = |m: &GetImItemListResponseMessage| {
            let mut w =
                XmlWriter::new().with_namespaces(&[&messages::NAMESPACE, &types::NAMESPACE]);
            w.element(Some(&messages::NAMESPACE), "GetImItemListResponse", m);
            w.into_string()
        };
        if personas >= 1_000 {
            group.sample_size(10);
        }
        group.throughput(Throughput::Bytes(write(&parsed).len() as u64));
        group.bench_with_input(BenchmarkId::new("response", personas), &parsed, |b, m| {
            b.iter(|| write(black_box(m)))
        });
        // The same answer as JSON, through the types' `Serialize`.
        let json = |m: &GetImItemListResponseMessage| serde_json::to_vec(m).unwrap();
        group.throughput(Throughput::Bytes(json(&parsed).len() as u64));
        group.bench_with_input(BenchmarkId::new("json", personas), &parsed, |b, m| {
            b.iter(|| json(black_box(m)))
        });
    }
    let headers = RequestHeaders {
        mailbox_culture: Some("en-US".into()),
        ..RequestHeaders::default()
    };
    let request = messages::GetImItemList::default();
    group.sample_size(100);
    group.throughput(Throughput::Bytes(
        write_request::<GetImItemList>(&headers, &request).len() as u64,
    ));
    group.bench_function("request_envelope", |b| {
        b.iter(|| write_request::<GetImItemList>(black_box(&headers), black_box(&request)))
    });
    group.finish();
}

/// FindItem and GetItem answers of 10,000 messages, and a GetItem answer of one message with
/// 10 MB of MIME content, against the raw scan of the same bytes: the envelope read alone
/// (`read`), read and classified into per-item results (`Operation::output`), and read
/// handing out one item at a time (`each`).
#[cfg(feature = "all-operations")]
fn per_item(c: &mut Criterion) {
    use ews_bindings::mock::workload::{
        find_item_response, get_item_mime_response, get_item_response,
    };
    use ews_bindings::operation::{FindItem, GetItem, Operation};

    /// Benches `xml` as the answer of `O`: raw scan, read, read and classified.
    fn answer<O: Operation>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        xml: &str,
    ) {
        group.throughput(Throughput::Bytes(xml.len() as u64));
        group.bench_with_input(BenchmarkId::new(name, "raw_scan"), xml, |b, x| {
            b.iter(|| raw_scan(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new(name, "raw_scan_041"), xml, |b, x| {
            b.iter(|| raw_scan_041(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new(name, "read"), xml, |b, x| {
            b.iter_batched(
                || (),
                |()| read_response::<O>(black_box(x.as_bytes())).unwrap(),
                BatchSize::PerIteration,
            )
        });
        group.bench_with_input(BenchmarkId::new(name, "per_item"), xml, |b, x| {
            b.iter_batched(
                || (),
                |()| {
                    let envelope = read_response::<O>(black_box(x.as_bytes())).unwrap();
                    O::output(envelope.body).unwrap()
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_with_input(BenchmarkId::new(name, "each"), xml, |b, x| {
            b.iter_batched(
                || (),
                |()| each::<O, ews_bindings::types::AnyItem>(x),
                BatchSize::PerIteration,
            )
        });
    }

    let mut group = c.benchmark_group("per_item");
    group.sample_size(10);
    answer::<FindItem>(
        &mut group,
        "find_item_10000",
        &find_item_response(10_000, 7),
    );
    answer::<GetItem>(&mut group, "get_item_10000", &get_item_response(10_000, 7));
    answer::<GetItem>(
        &mut group,
        "get_item_mime_10mb",
        &get_item_mime_response(10 << 20, 7),
    );
    group.finish();
}

#[cfg(feature = "all-operations")]
criterion_group!(benches, parse, write, per_item);
#[cfg(not(feature = "all-operations"))]
criterion_group!(benches, parse, write);
criterion_main!(benches);
