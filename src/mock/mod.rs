//! A loopback EWS endpoint for tests and demos (feature `mock`): it listens on 127.0.0.1,
//! answers each request with the next scripted [`MockResponse`] (or what a handler makes of
//! the request), and records what it received. [`workload`] makes large synthetic responses.

pub mod workload;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResponse {
    /// The HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl MockResponse {
    /// A `200 OK` with an XML body.
    pub fn xml(body: impl Into<Vec<u8>>) -> Self {
        MockResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "text/xml; charset=utf-8".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
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

/// Makes the answer to a request.
type Handler = dyn Fn(&RecordedRequest) -> MockResponse + Send + Sync;

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

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
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
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
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
        let mut response = hyper::Response::new(Full::new(Bytes::new()));
        *response.status_mut() = hyper::StatusCode::NOT_FOUND;
        return Ok(response);
    };
    if !scripted.delay.is_zero() {
        tokio::time::sleep(scripted.delay).await;
    }
    let mut response = hyper::Response::new(Full::new(Bytes::from(scripted.body)));
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
