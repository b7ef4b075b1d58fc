//! What an EWS operation is: a request body element, a response body element, and the
//! SOAPAction that names it. The client sends any [`Operation`] with the same plumbing.

use crate::error::EwsError;
use crate::messages::{self, ResponseCode};
use crate::types::ResponseClass;
use crate::xml::{AnyElement, FromXml, ToXml};

/// The SOAPAction of every EWS operation starts with this.
pub const SOAP_ACTION_BASE: &str = "http://schemas.microsoft.com/exchange/services/2006/messages/";

/// An EWS operation whose response body is a single response message (no
/// `ResponseMessages` wrapper), as the IM operations are.
pub trait Operation {
    /// The operation's name, which is also the request element's local name and the last
    /// part of its SOAPAction.
    const NAME: &'static str;
    /// The local name of the response element.
    const RESPONSE: &'static str;
    /// The request body element's type.
    type Request: ToXml;
    /// The response body element's type.
    type Response: FromXml + ResponseMessage;

    /// The SOAPAction header value.
    fn soap_action() -> String {
        format!("{SOAP_ACTION_BASE}{}", Self::NAME)
    }
}

/// The part every response message shares (`m:ResponseMessageType`).
pub trait ResponseMessage {
    /// `Success`, `Warning` or `Error`.
    fn response_class(&self) -> &ResponseClass;
    /// The response code.
    fn response_code(&self) -> Option<&ResponseCode>;
    /// The server's description of an error or warning.
    fn message_text(&self) -> Option<&str>;
    /// The link key of the description.
    fn descriptive_link_key(&self) -> Option<i32>;
    /// Further details, as sent.
    fn message_xml(&self) -> &[AnyElement];

    /// The error or warning this message carries, if its class is not `Success`.
    fn problem(&self) -> Option<EwsError> {
        if *self.response_class() == ResponseClass::Success {
            return None;
        }
        Some(EwsError {
            response_code: self
                .response_code()
                .cloned()
                .unwrap_or_else(|| ResponseCode::Other(String::new())),
            message_text: self.message_text().map(str::to_owned),
            descriptive_link_key: self.descriptive_link_key(),
            message_xml: self.message_xml().to_vec(),
        })
    }
}

macro_rules! operations {
    ($($(#[$doc:meta])* $op:ident: $request:ident => $response:ident as $response_element:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $op;

        impl Operation for $op {
            const NAME: &'static str = stringify!($op);
            const RESPONSE: &'static str = $response_element;
            type Request = messages::$request;
            type Response = messages::$response;
        }

        impl ResponseMessage for messages::$response {
            fn response_class(&self) -> &ResponseClass {
                &self.response_class
            }

            fn response_code(&self) -> Option<&ResponseCode> {
                self.response_code.as_ref()
            }

            fn message_text(&self) -> Option<&str> {
                self.message_text.as_deref()
            }

            fn descriptive_link_key(&self) -> Option<i32> {
                self.descriptive_link_key
            }

            fn message_xml(&self) -> &[AnyElement] {
                self.message_xml.as_ref().map_or(&[], |x| x.any.as_slice())
            }
        }
    )*};
}

operations! {
    /// Lists the IM groups and IM contact personas of a mailbox.
    GetImItemList: GetImItemList => GetImItemListResponseMessage as "GetImItemListResponse";
    /// Gets IM groups and contacts by id.
    GetImItems: GetImItems => GetImItemsResponseMessage as "GetImItemsResponse";
    /// Creates an IM group.
    AddImGroup: AddImGroup => AddImGroupResponseMessage as "AddImGroupResponse";
    /// Renames an IM group.
    SetImGroup: SetImGroup => SetImGroupResponseMessage as "SetImGroupResponse";
    /// Removes an IM group.
    RemoveImGroup: RemoveImGroup => RemoveImGroupResponseMessage as "RemoveImGroupResponse";
    /// Adds an existing IM contact to a group.
    AddImContactToGroup: AddImContactToGroup => AddImContactToGroupResponseMessage as "AddImContactToGroupResponse";
    /// Adds a new IM contact to a group.
    AddNewImContactToGroup: AddNewImContactToGroup => AddNewImContactToGroupResponseMessage as "AddNewImContactToGroupResponse";
    /// Adds a new contact with a telephone URI to a group.
    AddNewTelUriContactToGroup: AddNewTelUriContactToGroup => AddNewTelUriContactToGroupResponseMessage as "AddNewTelUriContactToGroupResponse";
    /// Adds a distribution group to the IM list.
    AddDistributionGroupToImList: AddDistributionGroupToImList => AddDistributionGroupToImListResponseMessage as "AddDistributionGroupToImListResponse";
    /// Removes an IM contact from a group.
    RemoveImContactFromGroup: RemoveImContactFromGroup => RemoveImContactFromGroupResponseMessage as "RemoveImContactFromGroupResponse";
    /// Removes a contact from the IM list.
    RemoveContactFromImList: RemoveContactFromImList => RemoveContactFromImListResponseMessage as "RemoveContactFromImListResponse";
    /// Removes a distribution group from the IM list.
    RemoveDistributionGroupFromImList: RemoveDistributionGroupFromImList => RemoveDistributionGroupFromImListResponseMessage as "RemoveDistributionGroupFromImListResponse";
    /// Marks the IM list migration as completed.
    SetImListMigrationCompleted: SetImListMigrationCompleted => SetImListMigrationCompletedResponseMessage as "SetImListMigrationCompletedResponse";
}
