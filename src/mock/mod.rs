//! A loopback EWS endpoint for tests and demos (feature `mock`): it listens on 127.0.0.1,
//! answers each request with the next scripted [`MockResponse`], with what a handler makes
//! of the request, or by operation ([`Routes`]: a function from the typed request to the
//! typed response), and records what it received. [`workload`] makes large synthetic
//! responses. With `all-operations`, `Mailbox` is a stateful mailbox (folders, messages,
//! their changes, public folders) answering the synchronization, item and Autodiscover
//! requests a mail client or exporter makes.
//!
//! ```
//! use ews_bindings::mock::{MockServer, Routes};
//! use ews_bindings::{messages, operation, types, Client};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let routes = Routes::new().answer::<operation::GetImItemList>(|_request| {
//!     let list = types::ImItemList {
//!         groups: Some(vec![types::ImGroup::new("Friends", "IPM.DistList.MOC.UserGroup")]),
//!         ..types::ImItemList::default()
//!     };
//!     messages::GetImItemListResponseMessage {
//!         im_item_list: Some(list),
//!         ..messages::GetImItemListResponseMessage::new(types::ResponseClass::Success)
//!     }
//! });
//! let server = MockServer::route(routes).await?;
//! let client = Client::builder(server.url()).build()?;
//! let list = client.get_im_item_list().await?;
//! assert_eq!(list.groups[0].display_name, "Friends");
//! assert_eq!(server.requests_of::<operation::GetImItemList>().len(), 1);
//! # Ok(())
//! # }
//! ```

pub mod workload;

#[cfg(feature = "all-operations")]
mod mailbox;
#[cfg(feature = "all-operations")]
pub use mailbox::Mailbox;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::operation::Operation;
use crate::soap::{self, SOAP_ENVELOPE};
use crate::xml::XmlWriter;

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockResponse {
    /// The HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// How long to wait before answering.
    pub delay: Duration,
    /// What follows the body on a streamed answer (see [`MockResponse::streamed`]).
    pub stream: Vec<Part>,
}

/// A part of a streamed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// Bytes sent as one HTTP chunk.
    Chunk(Vec<u8>),
    /// A wait before the next part.
    Pause(Duration),
    /// The connection drops (after what came before it is sent): no more parts are sent,
    /// and the body does not end properly.
    Cut,
}

impl MockResponse {
    /// A `200 OK` with an XML body.
    pub fn xml(body: impl Into<Vec<u8>>) -> Self {
        MockResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "text/xml; charset=utf-8".into())],
            body: body.into(),
            delay: Duration::ZERO,
            stream: Vec::new(),
        }
    }

    /// A `200 OK` whose XML body is sent part by part as `parts` say, in HTTP chunks, as
    /// GetStreamingEvents answers come: envelopes one after another, pauses between them,
    /// a connection that drops.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ews_bindings::mock::{MockResponse, Part};
    ///
    /// let envelope = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">…";
    /// let answer = MockResponse::streamed(vec![
    ///     Part::Chunk(envelope.into()),
    ///     Part::Pause(Duration::from_millis(50)),
    ///     Part::Cut,
    /// ]);
    /// # let _ = answer;
    /// ```
    pub fn streamed(parts: Vec<Part>) -> Self {
        MockResponse {
            stream: parts,
            ..Self::xml(Vec::new())
        }
    }

    /// A `200 OK` with the response envelope of `O` holding `body`, as a server writes it.
    pub fn answer<O: Operation>(body: &O::Response) -> Self {
        Self::xml(soap::write_response::<O>(None, body))
    }

    /// A `200 OK` with `body`, the XML of one element (`<m:FindItemResponse …>…`, its
    /// namespaces declared in it), in a SOAP envelope.
    pub fn envelope(body: &str) -> Self {
        let soap = SOAP_ENVELOPE.uri;
        Self::xml(format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"{soap}\">\
             <s:Body>{body}</s:Body></s:Envelope>"
        ))
    }

    /// A `500` carrying a SOAP fault with the code `code` of the SOAP namespace (`Client`,
    /// `Server`) and the text `reason`.
    pub fn fault(code: &str, reason: &str) -> Self {
        let code = format!("{}:{code}", SOAP_ENVELOPE.prefix);
        let soap = Some(&SOAP_ENVELOPE);
        let mut w = XmlWriter::new().with_namespaces(&[&SOAP_ENVELOPE]);
        w.declaration();
        w.start(soap, "Envelope");
        w.start(soap, "Body");
        w.start(soap, "Fault");
        w.value_element(None, "faultcode", &code);
        w.value_element(None, "faultstring", &reason.to_owned());
        w.end(soap, "Fault");
        w.end(soap, "Body");
        w.end(soap, "Envelope");
        Self::xml(w.into_string()).with_status(500)
    }

    /// The same answer with another status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// The same answer with the header `name` set to `value`.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The same answer, sent after `delay`.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl RecordedRequest {
    /// The operation the request's `SOAPAction` header names (`FindItem`), if any.
    pub fn soap_action(&self) -> Option<&str> {
        self.header("soapaction").map(|a| a.trim_matches('"'))
    }
}

/// Makes the answer to a request.
type Handler = dyn Fn(&RecordedRequest) -> MockResponse + Send + Sync;

/// Answers by operation: each request goes to the handler of the operation its
/// `SOAPAction` names, which gets the typed request and returns the typed response; the
/// server writes it in an envelope. A request of an operation without a handler, or one
/// that does not read as its operation's request, is answered with a SOAP fault that says
/// so (and the call fails with `Error::Fault`).
#[derive(Default)]
pub struct Routes {
    routes: Vec<Route>,
}

/// Makes the answer to a request's body, for one operation.
type Answer = dyn Fn(&[u8]) -> MockResponse + Send + Sync;

struct Route {
    action: &'static str,
    answer: Box<Answer>,
}

impl std::fmt::Debug for Routes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.routes.iter().map(|r| r.action))
            .finish()
    }
}

impl Routes {
    /// No operation answered yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers the operation `O` with what `answer` makes of each request.
    pub fn answer<O: Operation + 'static>(
        self,
        answer: impl Fn(O::Request) -> O::Response + Send + Sync + 'static,
    ) -> Self {
        self.respond::<O>(move |request| MockResponse::answer::<O>(&answer(request)))
    }

    /// Answers the operation `O` with the HTTP answer `respond` makes of each request
    /// (a fault, a status, a delay, or bytes of your own).
    pub fn respond<O: Operation + 'static>(
        mut self,
        respond: impl Fn(O::Request) -> MockResponse + Send + Sync + 'static,
    ) -> Self {
        self.routes.push(Route {
            action: O::SOAP_ACTION,
            answer: Box::new(move |body| match soap::read_request::<O>(body) {
                Ok(request) => respond(request),
                Err(e) => MockResponse::fault(
                    "Client",
                    &format!("the request does not read as a {} request: {e}", O::NAME),
                ),
            }),
        });
        self
    }

    /// The answer to `request`: its operation's handler's, or a fault naming the operation
    /// no handler answers. For a server of your own ([`MockServer::start_with`]) that
    /// answers some requests otherwise (an Autodiscover GET, say) and the rest by operation.
    pub fn answer_to(&self, request: &RecordedRequest) -> MockResponse {
        let action = request.soap_action().unwrap_or_default();
        match self.routes.iter().rev().find(|r| r.action == action) {
            Some(route) => (route.answer)(&request.body),
            None => {
                let operation = action.rsplit('/').next().unwrap_or(action);
                MockResponse::fault(
                    "Client",
                    &format!(
                        "the loopback endpoint has no handler for the operation {operation:?} \
                         (SOAPAction {action:?}); add one with Routes::answer"
                    ),
                )
            }
        }
    }
}

enum Answers {
    Script(Vec<MockResponse>),
    Handler(Box<Handler>),
}

struct State {
    answers: Answers,
    served: usize,
    requests: Vec<RecordedRequest>,
}

/// The loopback server; it stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl MockServer {
    /// Starts a server answering with `script` in order; once through it, it repeats the
    /// last answer (an empty script answers 404).
    pub async fn start(script: Vec<MockResponse>) -> std::io::Result<Self> {
        Self::serve(Answers::Script(script)).await
    }

    /// Starts a server answering each request with what `handler` makes of it (a server
    /// that pages, for example, reads the offset asked for).
    pub async fn start_with(
        handler: impl Fn(&RecordedRequest) -> MockResponse + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        Self::serve(Answers::Handler(Box::new(handler))).await
    }

    /// Starts a server answering by operation (see [`Routes`]).
    pub async fn route(routes: Routes) -> std::io::Result<Self> {
        Self::start_with(move |request| routes.answer_to(request)).await
    }

    async fn serve(answers: Answers) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            answers,
            served: 0,
            requests: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |req| answer(req, Arc::clone(&state)));
                    // A client that hangs up early is not the server's error.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(MockServer { addr, state, task })
    }

    /// The endpoint URL (`http://127.0.0.1:PORT/EWS/Exchange.asmx`).
    pub fn url(&self) -> String {
        format!("http://{}/EWS/Exchange.asmx", self.addr)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// The requests of the operation `O` received so far, read as its request type (those
    /// that do not read are left out).
    pub fn requests_of<O: Operation>(&self) -> Vec<O::Request> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.soap_action() == Some(O::SOAP_ACTION))
            .filter_map(|r| soap::read_request::<O>(&r.body).ok())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url())
            .field("requests", &self.lock().requests.len())
            .finish()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    req: hyper::Request<Incoming>,
    state: Arc<Mutex<State>>,
) -> Result<hyper::Response<Body>, Infallible> {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let headers = req
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let scripted = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        let request = RecordedRequest {
            method,
            path,
            headers,
            body,
        };
        let served = state.served;
        state.served += 1;
        let answer = match &state.answers {
            Answers::Script(script) => script
                .get(served.min(script.len().saturating_sub(1)))
                .cloned(),
            Answers::Handler(handler) => Some(handler(&request)),
        };
        state.requests.push(request);
        answer
    };
    let Some(scripted) = scripted else {
        let mut response =
            hyper::Response::new(Full::new(Bytes::new()).map_err(|e| match e {}).boxed());
        *response.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(response);
    };
    if !scripted.delay.is_zero() {
        tokio::time::sleep(scripted.delay).await;
    }
    let body = match scripted.stream.is_empty() {
        true => Full::new(Bytes::from(scripted.body))
            .map_err(|e| match e {})
            .boxed(),
        false => streamed(scripted.body, scripted.stream),
    };
    let mut response = hyper::Response::new(body);
    *response.status_mut() = hyper::StatusCode::from_u16(scripted.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in scripted.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

/// The body of an answer.
type Body = BoxBody<Bytes, std::io::Error>;

/// A body of `first` (if any) and then `parts`, each chunk as it comes.
fn streamed(first: Vec<u8>, parts: Vec<Part>) -> Body {
    let first = (!first.is_empty()).then_some(Part::Chunk(first));
    let parts = first.into_iter().chain(parts);
    let frames = futures_util::stream::unfold(parts, |mut parts| async move {
        loop {
            match parts.next()? {
                Part::Chunk(bytes) => return Some((Ok(Frame::data(Bytes::from(bytes))), parts)),
                Part::Pause(pause) => tokio::time::sleep(pause).await,
                Part::Cut => {
                    // What came before is written out first: the server flushes while the
                    // body waits.
                    tokio::task::yield_now().await;
                    let cut = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "cut");
                    return Some((Err(cut), parts));
                }
            }
        }
    });
    StreamBody::new(frames).boxed()
}
