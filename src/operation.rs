//! What an EWS operation is: a request body element, a response body element, the
//! SOAPAction that names it and the request headers its binding declares; and what its
//! response means for the call.
//!
//! The markers (`operation::FindItem`, `operation::GetImItemList`, …) are generated from
//! `Services.wsdl`, one for every operation whose elements are generated: the 13 IM
//! operations by default, all of them with the `all-operations` feature. [`OPERATIONS`]
//! lists them. Responses come in three shapes:
//!
//! - **One response message** (GetImItemList, FindPeople, GetPersona, …): a message whose
//!   `ResponseClass` is `Error` fails the call with [`Error::Ews`](crate::Error::Ews); a
//!   `Warning` returns the message and the warning.
//! - **One message per requested item** (`ResponseMessages`: GetItem, FindItem, CreateItem,
//!   SyncFolderItems, ExportItems, …): the call returns an [`ItemResults`], one
//!   [`ItemResult`] per item in request order, and fails only when the whole call does (a
//!   SOAP fault, an HTTP error, a response that does not read, a count of messages other
//!   than the count of requested items). A GetItem of 100 ids of which 2 are gone gives 98
//!   items and 2 errors. [`ItemResults::into_result`] turns the first item error into the
//!   call's error, for callers who want all or nothing.
//! - **Shapes of their own**: Get/SetUserOofSettings (their response message stands for the
//!   call, as for one response message) and GetUserAvailability (one response message per
//!   mailbox inside `FreeBusyResponseArray`, returned as they are) and SetUserPhoto.

use std::time::Duration;

use serde::Serialize;

use crate::messages::ResponseCode;
use crate::types::ResponseClass;
use crate::xml::{AnyElement, FromXml, ToXml};

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// An EWS operation. The markers are generated; [`Client::call`](crate::Client::call)
/// sends any of them.
pub trait Operation {
    /// The operation's name.
    const NAME: &'static str;
    /// The SOAPAction header value.
    const SOAP_ACTION: &'static str;
    /// The local name of the request body element (the operation's name, but for the
    /// `…MeetingInstance` operations, whose elements end in `Request`).
    const REQUEST_ELEMENT: &'static str;
    /// The local name of the response body element.
    const RESPONSE_ELEMENT: &'static str;
    /// The local names of the request header elements (types namespace) the operation's
    /// binding declares; the client sends only these.
    const REQUEST_HEADERS: &'static [&'static str];
    /// The request body element's type.
    type Request: ToXml + FromXml;
    /// The response body element's type.
    type Response: FromXml + ToXml;
    /// What a successful call returns.
    type Output: Serialize;

    /// What the response means for the call: its output (and the warning of a `Warning`
    /// response), or the error that fails the whole call.
    fn output(response: Self::Response) -> Result<Reply<Self::Output>, ResponseError>;

    /// How many response messages the request asks for, when the response holds one per
    /// requested item and the request one list of items.
    fn expected_items(_request: &Self::Request) -> Option<usize> {
        None
    }

    /// The items that failed, with their positions, for an operation answering item by item
    /// (none for the others: there an error fails the whole call).
    fn item_errors(_output: &Self::Output) -> Vec<(usize, &EwsError)> {
        Vec::new()
    }
}

/// Something done with an operation picked at run time by its name (see
/// [`with_operation`]): a command line tool reading a request for whichever operation the
/// user names, for example.
pub trait OperationVisitor {
    /// What the visit gives.
    type Output;

    /// Does the work with the operation `O`.
    fn visit<O: Operation + 'static>(self) -> Self::Output;
}

/// A response's output and the warning it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    /// The output.
    pub output: T,
    /// The warning of a response message whose class is `Warning`.
    pub warning: Option<EwsError>,
    /// The number of response messages, for a response holding one per requested item.
    pub messages: Option<usize>,
}

impl<T> Reply<T> {
    /// The output as it is: no warning, no count of messages.
    pub fn new(output: T) -> Self {
        Reply {
            output,
            warning: None,
            messages: None,
        }
    }
}

/// Why a response fails the whole call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The response message's class is `Error` (for an operation answering with one message,
    /// or the first message being `ErrorServerBusy`, which is retried).
    #[error("{0}")]
    Ews(Box<EwsError>),
    /// A response message of another kind than the operation's.
    #[error(transparent)]
    UnexpectedMessage(UnexpectedMessage),
}

/// A response message of another kind than the operation's, among per-item messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("response message {index} is not a {expected}; the server answered another operation")]
pub struct UnexpectedMessage {
    /// Its position, from 0.
    pub index: usize,
    /// The element expected.
    pub expected: &'static str,
}

/// The part every response message shares (`m:ResponseMessageType`). The class and code
/// are given as this crate's types, also for response messages generated into another
/// crate (see `ews_codegen::Config::runtime`).
pub trait ResponseMessage {
    /// `Success`, `Warning` or `Error`.
    fn response_class(&self) -> ResponseClass;
    /// The response code.
    fn response_code(&self) -> Option<ResponseCode>;
    /// The server's description of an error or warning.
    fn message_text(&self) -> Option<&str>;
    /// The link key of the description.
    fn descriptive_link_key(&self) -> Option<i32>;
    /// Further details, as sent.
    fn message_xml(&self) -> &[AnyElement];

    /// The error or warning this message carries, if its class is not `Success`.
    fn problem(&self) -> Option<EwsError> {
        if self.response_class() == ResponseClass::Success {
            return None;
        }
        Some(EwsError {
            response_code: self
                .response_code()
                .unwrap_or_else(|| ResponseCode::Other(String::new())),
            message_text: self.message_text().map(str::to_owned),
            descriptive_link_key: self.descriptive_link_key(),
            message_xml: self.message_xml().to_vec(),
        })
    }
}

/// A response message with ResponseClass `Error` (or the warning of a `Warning` one).
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "deserialize", derive(serde::Deserialize))]
#[error("EWS error {response_code}{}", message_text.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
pub struct EwsError {
    /// The response code; codes this version does not know are kept in `ResponseCode::Other`.
    pub response_code: ResponseCode,
    /// The server's description.
    pub message_text: Option<String>,
    /// The link key of the error's description, when the server gives one.
    pub descriptive_link_key: Option<i32>,
    /// Further details (for example `BackOffMilliseconds`), as sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_xml: Vec<AnyElement>,
}

impl EwsError {
    /// The `BackOffMilliseconds` value of `MessageXml`, if present.
    pub fn back_off(&self) -> Option<Duration> {
        back_off_in(&self.message_xml)
    }
}

/// Finds `<t:Value Name="BackOffMilliseconds">N</t:Value>` among `elements`, at any depth.
pub(crate) fn back_off_in(elements: &[AnyElement]) -> Option<Duration> {
    let mut stack: Vec<&AnyElement> = elements.iter().collect();
    while let Some(e) = stack.pop() {
        if e.name == "Value" && e.attribute("Name") == Some("BackOffMilliseconds") {
            if let Ok(ms) = e.text().trim().parse() {
                return Some(Duration::from_millis(ms));
            }
        }
        stack.extend(e.elements());
    }
    None
}

/// The outcome of one requested item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "deserialize", derive(serde::Deserialize))]
#[serde(tag = "class", rename_all = "PascalCase")]
pub enum ItemResult<T> {
    /// ResponseClass `Success`: the item's message.
    Success {
        /// The message.
        message: T,
    },
    /// ResponseClass `Warning`: the message, with its data, and the warning (for example
    /// `ErrorBatchProcessingStopped`).
    Warning {
        /// The message.
        message: T,
        /// The warning.
        warning: EwsError,
    },
    /// ResponseClass `Error`: what went wrong with this item.
    Error {
        /// The error.
        error: EwsError,
    },
}

impl<T> ItemResult<T> {
    /// The message, unless the item failed.
    pub fn message(&self) -> Option<&T> {
        match self {
            ItemResult::Success { message } | ItemResult::Warning { message, .. } => Some(message),
            ItemResult::Error { .. } => None,
        }
    }

    /// The error or warning, if any.
    pub fn problem(&self) -> Option<&EwsError> {
        match self {
            ItemResult::Success { .. } => None,
            ItemResult::Warning { warning, .. } => Some(warning),
            ItemResult::Error { error } => Some(error),
        }
    }

    /// Whether the item failed.
    pub fn is_error(&self) -> bool {
        matches!(self, ItemResult::Error { .. })
    }

    /// The message, or the item's error.
    pub fn into_result(self) -> Result<T, EwsError> {
        match self {
            ItemResult::Success { message } | ItemResult::Warning { message, .. } => Ok(message),
            ItemResult::Error { error } => Err(error),
        }
    }
}

impl<T: ResponseMessage> ItemResult<T> {
    /// Classifies a response message by its `ResponseClass`.
    pub fn from_message(message: T) -> Self {
        match message.problem() {
            None => ItemResult::Success { message },
            Some(error) if message.response_class() == ResponseClass::Error => {
                ItemResult::Error { error }
            }
            Some(warning) => ItemResult::Warning { message, warning },
        }
    }
}

/// The results of an operation that answers item by item, in request order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "deserialize", derive(serde::Deserialize))]
#[serde(transparent)]
pub struct ItemResults<T> {
    /// One result per requested item.
    pub items: Vec<ItemResult<T>>,
}

impl<T> ItemResults<T> {
    /// How many items were answered.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no item was answered.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The results, in request order.
    pub fn iter(&self) -> std::slice::Iter<'_, ItemResult<T>> {
        self.items.iter()
    }

    /// The messages of the items that did not fail, with their positions.
    pub fn messages(&self) -> impl Iterator<Item = (usize, &T)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.message().map(|m| (i, m)))
    }

    /// The errors of the items that failed, with their positions.
    pub fn errors(&self) -> impl Iterator<Item = (usize, &EwsError)> {
        self.items.iter().enumerate().filter_map(|(i, r)| match r {
            ItemResult::Error { error } => Some((i, error)),
            _ => None,
        })
    }

    /// Every item's message, or the first item error (all or nothing).
    pub fn into_result(self) -> Result<Vec<T>, EwsError> {
        self.items
            .into_iter()
            .map(ItemResult::into_result)
            .collect()
    }
}

impl<T> IntoIterator for ItemResults<T> {
    type Item = ItemResult<T>;
    type IntoIter = std::vec::IntoIter<ItemResult<T>>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The output of an operation answering with one response message: the message, unless
/// its class is `Error`.
#[doc(hidden)]
pub fn single<M: ResponseMessage>(message: M) -> Result<Reply<M>, ResponseError> {
    status(&message.response_class(), message.problem())?;
    let warning = message.problem();
    Ok(Reply {
        warning,
        ..Reply::new(message)
    })
}

/// The output of an operation whose response holds a response message standing for the
/// call (found by `message`).
#[doc(hidden)]
pub fn with_status<R, M: ResponseMessage>(
    response: R,
    message: impl FnOnce(&R) -> Option<&M>,
) -> Result<Reply<R>, ResponseError> {
    let (class, problem) = match message(&response) {
        Some(m) => (m.response_class(), m.problem()),
        None => (ResponseClass::Success, None),
    };
    status(&class, problem.clone())?;
    Ok(Reply {
        warning: problem,
        ..Reply::new(response)
    })
}

fn status(class: &ResponseClass, problem: Option<EwsError>) -> Result<(), ResponseError> {
    match problem {
        Some(e) if *class == ResponseClass::Error => Err(ResponseError::Ews(Box::new(e))),
        _ => Ok(()),
    }
}

/// The output of an operation answering item by item: each message of `messages` taken
/// by `item` (which returns `None` for a message of another kind, named `expected`). A
/// first message saying `ErrorServerBusy` fails the call, so that it is retried.
#[doc(hidden)]
pub fn item_results<C, T: ResponseMessage>(
    messages: Vec<C>,
    expected: &'static str,
    mut item: impl FnMut(C) -> Option<T>,
) -> Result<Reply<ItemResults<T>>, ResponseError> {
    let mut items = Vec::with_capacity(messages.len());
    for (index, message) in messages.into_iter().enumerate() {
        items.push(item_result(index, message, expected, &mut item)?);
    }
    let count = items.len();
    Ok(Reply {
        messages: Some(count),
        ..Reply::new(ItemResults { items })
    })
}

/// The result of the message at `index` of an answer given item by item, taken by `item`
/// (which returns `None` for a message of another kind, named `expected`); or the error that
/// fails the whole call: a message of another kind, or a first message saying
/// `ErrorServerBusy`.
pub(crate) fn item_result<C, T: ResponseMessage>(
    index: usize,
    message: C,
    expected: &'static str,
    item: impl FnOnce(C) -> Option<T>,
) -> Result<ItemResult<T>, ResponseError> {
    let message = item(message).ok_or(ResponseError::UnexpectedMessage(UnexpectedMessage {
        index,
        expected,
    }))?;
    let result = ItemResult::from_message(message);
    if let (0, ItemResult::Error { error }) = (index, &result) {
        if error.response_code == ResponseCode::ErrorServerBusy {
            return Err(ResponseError::Ews(Box::new(error.clone())));
        }
    }
    Ok(result)
}

/// An operation answering item by item (`ResponseMessages`: one message per requested
/// item). The markers of these operations implement it, so that
/// [`Client::call_per_item`](crate::Client::call_per_item) can hand out each message as it
/// is read.
pub trait PerItem: Operation {
    /// The type of the elements of the response's `ResponseMessages`.
    type Choice: 'static;
    /// The type of this operation's response messages.
    type Message: ResponseMessage;
    /// The element name of this operation's response messages (`GetItemResponseMessage`).
    const MESSAGE: &'static str;

    /// The message `choice` holds, if it is one of this operation's.
    fn message(choice: Self::Choice) -> Option<Self::Message>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::GetImItemListResponseMessage;

    fn message(class: ResponseClass, code: ResponseCode) -> GetImItemListResponseMessage {
        GetImItemListResponseMessage {
            response_class: class,
            message_text: None,
            response_code: Some(code),
            descriptive_link_key: None,
            message_xml: None,
            im_item_list: None,
        }
    }

    #[test]
    fn a_message_of_another_kind_fails_the_call_with_its_position() {
        let messages = vec![Some(1), None, Some(2)];
        let err = item_results(messages, "GetItemResponseMessage", |m| {
            m.map(|_| message(ResponseClass::Success, ResponseCode::NoError))
        })
        .unwrap_err();
        assert_eq!(
            err,
            ResponseError::UnexpectedMessage(UnexpectedMessage {
                index: 1,
                expected: "GetItemResponseMessage"
            })
        );
        assert_eq!(
            crate::Error::from(err).to_string(),
            "response message 1 is not a GetItemResponseMessage; the server answered another \
             operation"
        );
    }

    #[test]
    fn a_busy_first_item_fails_the_call_and_a_later_one_does_not() {
        let busy = || message(ResponseClass::Error, ResponseCode::ErrorServerBusy);
        let ok = || message(ResponseClass::Success, ResponseCode::NoError);
        let first = item_results(vec![busy(), ok()], "M", Some).unwrap_err();
        assert!(
            matches!(first, ResponseError::Ews(e) if e.response_code == ResponseCode::ErrorServerBusy)
        );
        let later = item_results(vec![ok(), busy()], "M", Some).unwrap();
        assert_eq!(later.messages, Some(2));
        assert!(later.output.items[1].is_error());
    }
}
