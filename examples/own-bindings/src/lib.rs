//! A user's crate with its own bindings of GetImItemList and the TimeZoneContext header
//! (see `build.rs`), called with `ews_bindings::Client`.

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
    use ews_bindings::xml::{ToXml, XmlWriter};

    use super::types::{AnyTransition, TimeZoneContext, TransitionElement};

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

    /// A time zone whose transitions are `t:Transition` elements with `xsi:type`s naming
    /// derived types, and one without.
    const TIME_ZONE: &str = r#"<t:TimeZoneContext xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <t:TimeZoneDefinition Id="W. Europe Standard Time">
        <t:Transitions>
          <t:Transition><t:To Kind="Period">Std</t:To></t:Transition>
          <t:Transition xsi:type="t:RecurringDayTransitionType">
            <t:To Kind="Period">Dlt/1</t:To><t:TimeOffset>PT2H</t:TimeOffset>
            <t:Month>3</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek><t:Occurrence>-1</t:Occurrence>
          </t:Transition>
          <t:Transition xsi:type="t:AbsoluteDateTransitionType">
            <t:To Kind="Group">1</t:To><t:DateTime>2026-01-01T00:00:00</t:DateTime>
          </t:Transition>
          <t:Transition xsi:type="t:FutureTransitionType"><t:To Kind="Period">Std</t:To><t:Later>1</t:Later></t:Transition>
        </t:Transitions>
      </t:TimeZoneDefinition>
    </t:TimeZoneContext>"#;

    fn transitions(context: &TimeZoneContext) -> Vec<&AnyTransition> {
        let all = &context
            .time_zone_definition
            .transitions
            .as_ref()
            .unwrap()
            .transition;
        all.iter()
            .map(|t| match t {
                TransitionElement::Transition(t) => t,
                other => panic!("not a t:Transition element: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn transitions_are_read_by_their_xsi_type_and_written_back_with_it() {
        let context: TimeZoneContext = ews_bindings::from_xml_str(TIME_ZONE).unwrap();
        let read = transitions(&context);
        assert!(matches!(read[0], AnyTransition::Transition(t) if t.to.value == "Std"));
        let AnyTransition::RecurringDayTransition(day) = read[1] else {
            panic!("{:?}", read[1]);
        };
        assert_eq!((day.month, day.occurrence), (3, -1));
        assert!(matches!(read[2], AnyTransition::AbsoluteDateTransition(_)));
        // A type the schema does not define: the base type, its own content kept.
        assert!(matches!(read[3], AnyTransition::Transition(t) if t.to.value == "Std"));

        let mut w = XmlWriter::new();
        context.to_xml(&mut w, Some(&super::types::NAMESPACE), "TimeZoneContext");
        let written = w.into_string();
        for expected in [
            r#"xsi:type="t:RecurringDayTransitionType""#,
            r#"xsi:type="t:AbsoluteDateTransitionType""#,
        ] {
            assert!(written.contains(expected), "{expected} in {written}");
        }
        let again: TimeZoneContext = ews_bindings::from_xml_str(&written).unwrap();
        assert_eq!(again, context);
    }
}
