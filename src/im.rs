//! The instant-messaging operations. GetImItemList has a call of its own; every IM
//! operation can be sent with [`Client::call`](crate::Client::call) and the markers in
//! [`operation`](crate::operation).

use serde::Serialize;

use crate::client::{Client, Response};
use crate::error::{Error, EwsError};
use crate::messages::GetImItemListResponseMessage;
use crate::operation::GetImItemList;
use crate::soap::RequestHeaders;
use crate::types::{ImGroup, Persona, ServerVersionInfo};

/// The IM groups and IM contact personas of a mailbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "deserialize", derive(serde::Deserialize))]
pub struct ImItemListResponse {
    /// The IM groups, default groups (Other Contacts, Favorites, …) included.
    pub groups: Vec<ImGroup>,
    /// The personas of the groups' contacts.
    pub personas: Vec<Persona>,
    /// The `ServerVersionInfo` header, if the server sent one.
    pub server_version: Option<ServerVersionInfo>,
    /// The warning of a response whose class is `Warning`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<EwsError>,
}

impl From<Response<GetImItemListResponseMessage>> for ImItemListResponse {
    fn from(response: Response<GetImItemListResponseMessage>) -> Self {
        let list = response.output.im_item_list.unwrap_or_default();
        ImItemListResponse {
            groups: list.groups.unwrap_or_default(),
            personas: list.personas.unwrap_or_default(),
            server_version: response.server_version,
            warning: response.warning,
        }
    }
}

impl Client {
    /// Lists the IM groups and IM contact personas of the mailbox.
    pub async fn get_im_item_list(&self) -> Result<ImItemListResponse, Error> {
        self.get_im_item_list_with(self.headers()).await
    }

    /// Lists the IM groups and IM contact personas, with `headers` instead of the client's.
    pub async fn get_im_item_list_with(
        &self,
        headers: &RequestHeaders,
    ) -> Result<ImItemListResponse, Error> {
        let request = crate::messages::GetImItemList {
            extended_properties: None,
        };
        let response = self.call_with::<GetImItemList>(&request, headers).await?;
        Ok(response.into())
    }
}
