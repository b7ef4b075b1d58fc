//! Reads the operations of an EWS `Services.wsdl`: for each operation of the SOAP binding,
//! its SOAPAction, its request and response body elements, and the SOAP headers the binding
//! declares for each direction.
//!
//! The binding is what goes on the wire, so headers come from its `soap:header` entries (a
//! header listed twice counts once), and the body element is the message part that
//! `soap:body parts` names (or the one part that is not a header).

use std::collections::HashMap;
use std::path::Path;

use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, QName as XmlName, ResolveResult};
use quick_xml::NsReader;

use crate::{Error, QName};

const WSDL: &[u8] = b"http://schemas.xmlsoap.org/wsdl/";
const WSDL_SOAP: &[u8] = b"http://schemas.xmlsoap.org/wsdl/soap/";

/// Which vocabulary an element of the WSDL belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vocabulary {
    /// WSDL 1.1 (`wsdl:definitions`, `wsdl:message`, …).
    Wsdl,
    /// WSDL's SOAP binding (`soap:operation`, `soap:body`, `soap:header`).
    Soap,
    /// Anything else (documentation, the embedded schema, extensions).
    Other,
}

/// One operation of the binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name.
    pub name: String,
    /// The SOAPAction the binding gives it.
    pub soap_action: String,
    /// The request body element.
    pub request: QName,
    /// The response body element.
    pub response: QName,
    /// The request header elements, in binding order, each once.
    pub request_headers: Vec<QName>,
    /// The response header elements, in binding order, each once.
    pub response_headers: Vec<QName>,
    /// Whether `Services.wsdl` binds it; `false` for an operation only messages.xsd
    /// defines (see [`Config::operations`](crate::Config::operations)).
    pub in_wsdl: bool,
}

/// What the binding says of one direction of an operation.
#[derive(Debug, Default)]
struct Direction {
    /// `soap:body parts`, if given.
    body_parts: Option<Vec<String>>,
    /// `soap:header` entries: (message, part).
    headers: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct BindingOperation {
    soap_action: Option<String>,
    input: Direction,
    output: Direction,
}

/// Reads the operations of the WSDL file `path`, in binding order.
pub fn read(path: &Path) -> Result<Vec<Operation>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&text).map_err(|message| Error::Wsdl {
        path: path.to_owned(),
        message,
    })
}

/// Reads the operations of a WSDL document.
pub fn parse(text: &str) -> Result<Vec<Operation>, String> {
    let mut reader = NsReader::from_str(text);
    // message name -> part name -> element
    let mut messages: HashMap<String, Vec<(String, QName)>> = HashMap::new();
    // portType operation -> (input message, output message)
    let mut port: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
    let mut binding: Vec<(String, BindingOperation)> = Vec::new();
    // The open elements: (vocabulary, local name, name attribute).
    let mut stack: Vec<(Vocabulary, String, Option<String>)> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        let (tag, empty) = match event {
            Event::Start(tag) => (tag, false),
            Event::Empty(tag) => (tag, true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let decoder = reader.decoder();
        let (ns, local) = reader.resolve_element(tag.name());
        let kind = match ns {
            ResolveResult::Bound(Namespace(WSDL)) => Vocabulary::Wsdl,
            ResolveResult::Bound(Namespace(WSDL_SOAP)) => Vocabulary::Soap,
            _ => Vocabulary::Other,
        };
        let local = String::from_utf8_lossy(local.as_ref()).into_owned();
        let name = attr(&tag, decoder, "name")?;
        let path: Vec<&str> = stack
            .iter()
            .map(|(k, l, _)| match k {
                Vocabulary::Wsdl => l.as_str(),
                Vocabulary::Soap | Vocabulary::Other => "",
            })
            .collect();
        let parent_name = |depth: usize| stack.get(depth).and_then(|(_, _, n)| n.clone());
        match (kind, path.as_slice(), local.as_str()) {
            (Vocabulary::Wsdl, ["definitions", "message"], "part") => {
                let message = parent_name(1).ok_or("a message without a name")?;
                let part = name.clone().ok_or("a part without a name")?;
                let element = attr(&tag, decoder, "element")?
                    .ok_or_else(|| format!("part {part} of {message} names no element"))?;
                let element = resolve_qname(&reader, &element)?;
                messages.entry(message).or_default().push((part, element));
            }
            (Vocabulary::Wsdl, ["definitions", "portType", "operation"], "input" | "output") => {
                let op = parent_name(2).ok_or("a portType operation without a name")?;
                let message = attr(&tag, decoder, "message")?
                    .ok_or_else(|| format!("the {local} of {op} names no message"))?;
                let message = local_part(&message).to_owned();
                let entry = port.entry(op).or_default();
                if local == "input" {
                    entry.0 = Some(message);
                } else {
                    entry.1 = Some(message);
                }
            }
            (Vocabulary::Wsdl, ["definitions", "binding"], "operation") => {
                let op = name.clone().ok_or("a binding operation without a name")?;
                binding.push((op, BindingOperation::default()));
            }
            (Vocabulary::Soap, ["definitions", "binding", "operation"], "operation") => {
                if let Some((_, op)) = binding.last_mut() {
                    op.soap_action = attr(&tag, decoder, "soapAction")?;
                }
            }
            (
                Vocabulary::Soap,
                ["definitions", "binding", "operation", dir @ ("input" | "output")],
                what,
            ) => {
                let Some((_, op)) = binding.last_mut() else {
                    continue;
                };
                let direction = if *dir == "input" {
                    &mut op.input
                } else {
                    &mut op.output
                };
                match what {
                    "body" => {
                        direction.body_parts = attr(&tag, decoder, "parts")?
                            .map(|p| p.split_whitespace().map(str::to_owned).collect());
                    }
                    "header" => {
                        let message =
                            attr(&tag, decoder, "message")?.ok_or("a header names no message")?;
                        let part = attr(&tag, decoder, "part")?.ok_or("a header names no part")?;
                        direction
                            .headers
                            .push((local_part(&message).to_owned(), part));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        if !empty {
            stack.push((kind, local, name));
        }
    }
    binding
        .into_iter()
        .map(|(name, op)| {
            let (input, output) = port
                .get(&name)
                .ok_or_else(|| format!("operation {name} is bound but not in the portType"))?;
            let input = input
                .as_deref()
                .ok_or_else(|| format!("operation {name} has no input message"))?;
            let output = output
                .as_deref()
                .ok_or_else(|| format!("operation {name} has no output message"))?;
            let (request, request_headers) = direction(&messages, &name, input, &op.input)?;
            let (response, response_headers) = direction(&messages, &name, output, &op.output)?;
            Ok(Operation {
                soap_action: op
                    .soap_action
                    .ok_or_else(|| format!("operation {name} has no soapAction"))?,
                name,
                request,
                response,
                request_headers,
                response_headers,
                in_wsdl: true,
            })
        })
        .collect()
}

/// The body element and the header elements of one direction.
fn direction(
    messages: &HashMap<String, Vec<(String, QName)>>,
    op: &str,
    message: &str,
    bound: &Direction,
) -> Result<(QName, Vec<QName>), String> {
    let parts = messages
        .get(message)
        .ok_or_else(|| format!("operation {op}: message {message} is not defined"))?;
    let part = |name: &str| {
        parts
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, e)| e.clone())
            .ok_or_else(|| format!("operation {op}: message {message} has no part {name}"))
    };
    let mut headers: Vec<QName> = Vec::new();
    for (header_message, header_part) in &bound.headers {
        if header_message != message {
            return Err(format!(
                "operation {op}: a header of message {header_message} where {message} is bound"
            ));
        }
        let element = part(header_part)?;
        if !headers.contains(&element) {
            headers.push(element);
        }
    }
    let body: Vec<&str> = match &bound.body_parts {
        Some(names) => names.iter().map(String::as_str).collect(),
        None => parts
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| !bound.headers.iter().any(|(_, h)| h == p))
            .collect(),
    };
    match body.as_slice() {
        [one] => Ok((part(one)?, headers)),
        _ => Err(format!(
            "operation {op}: message {message} has {} body parts, not one",
            body.len()
        )),
    }
}

fn attr(tag: &BytesStart<'_>, decoder: Decoder, name: &str) -> Result<Option<String>, String> {
    match tag.try_get_attribute(name) {
        Ok(Some(a)) => a
            .decode_and_unescape_value(decoder)
            .map(|v| Some(v.into_owned()))
            .map_err(|e| e.to_string()),
        Ok(None) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn local_part(qname: &str) -> &str {
    qname.split_once(':').map_or(qname, |(_, local)| local)
}

/// Resolves a QName attribute value where the reader stands.
fn resolve_qname(reader: &NsReader<&[u8]>, value: &str) -> Result<QName, String> {
    let (ns, local) = reader.resolve_element(XmlName(value.as_bytes()));
    match ns {
        ResolveResult::Bound(Namespace(uri)) => Ok(QName {
            namespace: String::from_utf8_lossy(uri).into_owned(),
            local: String::from_utf8_lossy(local.as_ref()).into_owned(),
        }),
        _ => Err(format!("the prefix of {value} is not bound to a namespace")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
        xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:m" xmlns:t="urn:t">
      <wsdl:message name="AIn">
        <wsdl:part name="req" element="tns:A"/>
        <wsdl:part name="V" element="t:Version"/>
      </wsdl:message>
      <wsdl:message name="AOut"><wsdl:part name="r" element="tns:AResponse"/></wsdl:message>
      <wsdl:portType name="P">
        <wsdl:operation name="A"><wsdl:input message="tns:AIn"/><wsdl:output message="tns:AOut"/></wsdl:operation>
      </wsdl:portType>
      <wsdl:binding name="B" type="tns:P">
        <wsdl:operation name="A">
          <soap:operation soapAction="urn:m/A"/>
          <wsdl:input>
            <soap:header message="tns:AIn" part="V" use="literal"/>
            <soap:body use="literal"/>
            <soap:header message="tns:AIn" part="V" use="literal"/>
          </wsdl:input>
          <wsdl:output><soap:body parts="r" use="literal"/></wsdl:output>
        </wsdl:operation>
      </wsdl:binding>
    </wsdl:definitions>"#;

    fn name(namespace: &str, local: &str) -> QName {
        QName {
            namespace: namespace.into(),
            local: local.into(),
        }
    }

    #[test]
    fn reads_the_binding_with_headers_once_and_the_body_part() {
        let ops = parse(DOC).unwrap();
        assert_eq!(
            ops,
            vec![Operation {
                name: "A".into(),
                soap_action: "urn:m/A".into(),
                request: name("urn:m", "A"),
                response: name("urn:m", "AResponse"),
                request_headers: vec![name("urn:t", "Version")],
                response_headers: vec![],
                in_wsdl: true,
            }]
        );
    }

    #[test]
    fn an_unbound_part_is_an_error() {
        let doc = DOC.replace(
            r#"part="V" use="literal"/>
            <soap:body"#,
            r#"part="W" use="literal"/>
            <soap:body"#,
        );
        let err = parse(&doc).unwrap_err();
        assert!(err.contains("has no part W"), "{err}");
    }
}
