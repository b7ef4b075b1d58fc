//! Answers that last: one HTTP response carrying envelopes one after another
//! (GetStreamingEvents), each handed out as soon as it has come whole.

use futures_util::stream::{self, Stream};

use super::connection::BodyStream;
use super::transport::Payload;
use super::{Client, Response};
use crate::error::Error;
use crate::operation::Operation;
use crate::soap::{self, RequestHeaders};
use crate::xml::{Documents, DocumentsError, Limits};

/// Where a streamed answer of response elements `R` is.
enum State<R> {
    /// The request, to send.
    Start(String),
    /// Envelopes coming on `body`.
    Reading {
        body: BodyStream,
        documents: Documents,
    },
    /// An answer that came whole (a server that does not stream), to hand out.
    Last(Response<R>),
    /// The answer ended, or failed.
    Done,
}

/// Reads one envelope of an answer.
pub(crate) type Parse<R> =
    fn(&[u8], &Limits) -> Result<soap::ResponseEnvelope<R>, soap::EnvelopeError>;

/// An envelope as handed out.
fn response<R>(envelope: soap::ResponseEnvelope<R>) -> Response<R> {
    Response {
        output: envelope.body,
        server_version: envelope.server_version,
        warning: None,
    }
}

impl Client {
    /// Sends `request` and hands out the response body element of each envelope of the
    /// answer as soon as that envelope has come whole: for an operation whose answer is
    /// several envelopes on one long HTTP response, as GetStreamingEvents' is (notifications
    /// and heartbeats for up to its `ConnectionTimeout`). Memory holds one envelope at a
    /// time. The envelopes' response messages are not looked at, as with
    /// [`Client::call_body`]. Needs a Tokio runtime, like [`Client::call`].
    ///
    /// The stream ends with the answer. It fails, and ends, with the first error: an HTTP
    /// error or SOAP fault in place of the answer, an envelope that does not read,
    /// [`Error::Truncated`] when the answer ends in the middle of an envelope,
    /// [`Error::Stalled`] when nothing at all comes for the client's timeout, and the
    /// transport's errors when the connection drops. Nothing is retried: a stream that
    /// failed is opened again by sending the request again.
    pub fn call_streamed<'c, O: Operation + 'c>(
        &'c self,
        request: &O::Request,
    ) -> impl Stream<Item = Result<Response<O::Response>, Error>> + Send + 'c
    where
        O::Response: Send,
    {
        self.call_streamed_with::<O>(request, &self.headers)
    }

    /// [`Client::call_streamed`] with `headers` instead of the client's.
    pub fn call_streamed_with<'c, O: Operation + 'c>(
        &'c self,
        request: &O::Request,
        headers: &RequestHeaders,
    ) -> impl Stream<Item = Result<Response<O::Response>, Error>> + Send + 'c
    where
        O::Response: Send,
    {
        self.streamed::<O, _>(request, headers, soap::read_response_with::<O>)
    }

    /// Sends `request` and hands out what `parse` reads of each envelope of the answer.
    pub(crate) fn streamed<'c, O: Operation, R: Send + 'c>(
        &'c self,
        request: &O::Request,
        headers: &RequestHeaders,
        parse: Parse<R>,
    ) -> impl Stream<Item = Result<Response<R>, Error>> + Send + 'c {
        let body = soap::write_request::<O>(headers, request);
        let route = super::route::<O>(headers);
        let operation = O::NAME;
        stream::unfold(State::Start(body), move |state| {
            let route = route.clone();
            async move {
                let state = match state {
                    State::Done => return None,
                    State::Start(body) => {
                        let payload = super::soap_payload::<O>(&body, &route);
                        match self.open(operation, payload, parse).await {
                            Ok(state) => state,
                            Err(e) => return Some((Err(e), State::Done)),
                        }
                    }
                    other => other,
                };
                self.next_envelope(state, parse).await
            }
        })
    }

    /// Sends the request and gives the answer's body to read, or the error the answer is.
    async fn open<R>(
        &self,
        operation: &str,
        payload: Payload<'_>,
        parse: Parse<R>,
    ) -> Result<State<R>, Error> {
        let endpoint = self.transport.endpoint();
        tracing::debug!(operation, %endpoint, "opening a streamed answer");
        let mut raw = self.transport.open(endpoint, payload).await?;
        match raw.rest.take() {
            // A web page (a sign-in page, say) is no stream of envelopes: read whole, it is
            // the error it is.
            Some(mut body)
                if raw
                    .content_type
                    .as_deref()
                    .is_some_and(|t| !super::is_xml(t)) =>
            {
                body.read_to_end(&mut raw.body, self.transport.max_response_bytes)
                    .await
                    .map_err(|e| self.transport.connection_error(e))?;
                Ok(State::Last(response(self.interpret(raw, parse)?)))
            }
            Some(body) => Ok(State::Reading {
                body,
                documents: Documents::new(self.transport.max_response_bytes),
            }),
            // An answer read whole: an HTTP error, a fault, a page in place of EWS.
            None => Ok(State::Last(response(self.interpret(raw, parse)?))),
        }
    }

    /// The next envelope of the answer being read, and where the answer is after it;
    /// `None` when it ended.
    async fn next_envelope<R>(
        &self,
        state: State<R>,
        parse: Parse<R>,
    ) -> Option<(Result<Response<R>, Error>, State<R>)> {
        let (mut body, mut documents) = match state {
            State::Reading { body, documents } => (body, documents),
            State::Last(last) => return Some((Ok(last), State::Done)),
            State::Start(_) | State::Done => return None,
        };
        loop {
            match documents.next_document() {
                Ok(Some(document)) => {
                    let item = parse(document, &self.limits)
                        .map(response)
                        .map_err(Error::from);
                    let next = match item {
                        Ok(_) => State::Reading { body, documents },
                        Err(_) => State::Done,
                    };
                    return Some((item, next));
                }
                Ok(None) => {}
                Err(e) => return Some((Err(self.documents_error(e)), State::Done)),
            }
            let idle = self.transport.timeout;
            match tokio::time::timeout(idle, body.chunk()).await {
                Err(_) => return Some((Err(Error::Stalled(idle)), State::Done)),
                Ok(Err(e)) => {
                    return Some((Err(self.transport.connection_error(e)), State::Done));
                }
                Ok(Ok(Some(chunk))) => documents.push(&chunk),
                Ok(Ok(None)) => {
                    return match documents.finish() {
                        Ok(()) => None,
                        Err(e) => Some((Err(self.documents_error(e)), State::Done)),
                    };
                }
            }
        }
    }

    fn documents_error(&self, e: DocumentsError) -> Error {
        match e {
            DocumentsError::TooLarge => Error::ResponseTooLarge {
                limit: self.transport.max_response_bytes,
            },
            DocumentsError::Truncated(received) => Error::Truncated { received },
        }
    }
}
