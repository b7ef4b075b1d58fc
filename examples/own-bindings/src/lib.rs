//! A user's crate with its own bindings of GetImItemList (see `build.rs`), called with
//! `ews_bindings::Client`.

/// The generated types of the EWS types namespace (this crate's subset).
pub mod types {
    include!(concat!(env!("OUT_DIR"), "/types.rs"));
}

/// The generated types of the EWS messages namespace (this crate's subset).
pub mod messages {
    include!(concat!(env!("OUT_DIR"), "/messages.rs"));
}

/// The generated operation markers.
pub mod operation {
    include!(concat!(env!("OUT_DIR"), "/operations.rs"));
}

/// The names of the mailbox's IM groups.
pub async fn group_names(
    client: &ews_bindings::Client,
) -> Result<Vec<String>, ews_bindings::Error> {
    let request = messages::GetImItemList::default();
    let response = client.call::<operation::GetImItemList>(&request).await?;
    let list = response.output.im_item_list.unwrap_or_default();
    Ok(list
        .groups
        .unwrap_or_default()
        .into_iter()
        .map(|g| g.display_name.to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use ews_bindings::mock::{MockResponse, MockServer};

    const RESPONSE: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <GetImItemListResponse ResponseClass="Success" xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"
          xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
        <ResponseCode>NoError</ResponseCode>
        <ImItemList><t:Groups>
          <t:ImGroup><t:DisplayName>Friends</t:DisplayName><t:GroupType>IPM.DistList.MOC.UserGroup</t:GroupType></t:ImGroup>
          <t:ImGroup><t:DisplayName>Favorites</t:DisplayName><t:GroupType>IPM.DistList.MOC.Favorites</t:GroupType></t:ImGroup>
        </t:Groups></ImItemList>
      </GetImItemListResponse></s:Body></s:Envelope>"#;

    #[tokio::test]
    async fn own_bindings_call_through_the_client() {
        let server = MockServer::start(vec![MockResponse::xml(RESPONSE)])
            .await
            .unwrap();
        let client = ews_bindings::Client::builder(server.url()).build().unwrap();
        let names = super::group_names(&client).await.unwrap();
        assert_eq!(names, ["Friends", "Favorites"]);
        let sent = server.requests().pop().unwrap().text();
        assert!(sent.contains("<m:GetImItemList"), "{sent}");
    }
}
