//! Synthetic responses for benchmarks and load tests, deterministic from a seed, with unique
//! ids, non-ASCII names and escaped text: GetImItemList (the documentation's persona with
//! every attributed-value list filled, and the documentation's persona as it stands,
//! compact or indented), and FindItem and GetItem answers of many messages, each with the
//! properties Exchange returns for a message in the default shape.

use std::fmt::Write as _;

/// How a Persona field is filled.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Time,
    Int,
    Bool,
    ItemId,
    Email,
    Phone,
    FolderIds,
    Attributions,
    Strings,
    Phones,
    Emails,
    Postal,
    StringArrays,
    Extended,
    Addresses,
    Bodies,
}

use Kind::*;

/// Persona's elements in schema order, with how each is filled.
const PERSONA: &[(&str, Kind)] = &[
    ("PersonaId", ItemId),
    ("PersonaType", Text),
    ("PersonaObjectStatus", Text),
    ("CreationTime", Time),
    ("Bodies", Bodies),
    ("DisplayNameFirstLastSortKey", Text),
    ("DisplayNameLastFirstSortKey", Text),
    ("CompanyNameSortKey", Text),
    ("HomeCitySortKey", Text),
    ("WorkCitySortKey", Text),
    ("DisplayNameFirstLastHeader", Text),
    ("DisplayNameLastFirstHeader", Text),
    ("DisplayName", Text),
    ("DisplayNameFirstLast", Text),
    ("DisplayNameLastFirst", Text),
    ("FileAs", Text),
    ("FileAsId", Text),
    ("DisplayNamePrefix", Text),
    ("GivenName", Text),
    ("MiddleName", Text),
    ("Surname", Text),
    ("Generation", Text),
    ("Nickname", Text),
    ("YomiCompanyName", Text),
    ("YomiFirstName", Text),
    ("YomiLastName", Text),
    ("Title", Text),
    ("Department", Text),
    ("CompanyName", Text),
    ("Location", Text),
    ("EmailAddress", Email),
    ("EmailAddresses", Addresses),
    ("PhoneNumber", Phone),
    ("ImAddress", Text),
    ("HomeCity", Text),
    ("WorkCity", Text),
    ("RelevanceScore", Int),
    ("FolderIds", FolderIds),
    ("Attributions", Attributions),
    ("DisplayNames", Strings),
    ("FileAses", Strings),
    ("FileAsIds", Strings),
    ("DisplayNamePrefixes", Strings),
    ("GivenNames", Strings),
    ("MiddleNames", Strings),
    ("Surnames", Strings),
    ("Generations", Strings),
    ("Nicknames", Strings),
    ("Initials", Strings),
    ("YomiCompanyNames", Strings),
    ("YomiFirstNames", Strings),
    ("YomiLastNames", Strings),
    ("BusinessPhoneNumbers", Phones),
    ("BusinessPhoneNumbers2", Phones),
    ("HomePhones", Phones),
    ("HomePhones2", Phones),
    ("MobilePhones", Phones),
    ("MobilePhones2", Phones),
    ("AssistantPhoneNumbers", Phones),
    ("CallbackPhones", Phones),
    ("CarPhones", Phones),
    ("HomeFaxes", Phones),
    ("OrganizationMainPhones", Phones),
    ("OtherFaxes", Phones),
    ("OtherTelephones", Phones),
    ("OtherPhones2", Phones),
    ("Pagers", Phones),
    ("RadioPhones", Phones),
    ("TelexNumbers", Phones),
    ("TTYTDDPhoneNumbers", Phones),
    ("WorkFaxes", Phones),
    ("Emails1", Emails),
    ("Emails2", Emails),
    ("Emails3", Emails),
    ("BusinessHomePages", Strings),
    ("PersonalHomePages", Strings),
    ("OfficeLocations", Strings),
    ("ImAddresses", Strings),
    ("ImAddresses2", Strings),
    ("ImAddresses3", Strings),
    ("BusinessAddresses", Postal),
    ("HomeAddresses", Postal),
    ("OtherAddresses", Postal),
    ("Titles", Strings),
    ("Departments", Strings),
    ("CompanyNames", Strings),
    ("Managers", Strings),
    ("AssistantNames", Strings),
    ("Professions", Strings),
    ("SpouseNames", Strings),
    ("Children", StringArrays),
    ("Schools", Strings),
    ("Hobbies", Strings),
    ("WeddingAnniversaries", Strings),
    ("Birthdays", Strings),
    ("Locations", Strings),
    ("InlineLinks", Strings),
    ("ItemLinkIds", StringArrays),
    ("HasActiveDeals", Text),
    ("IsBusinessContact", Text),
    ("AttributedHasActiveDeals", Strings),
    ("AttributedIsBusinessContact", Strings),
    ("SourceMailboxGuids", Strings),
    ("LastContactedDate", Time),
    ("ExtendedProperties", Extended),
    ("ExternalDirectoryObjectId", Text),
    ("MapiEntryId", Text),
    ("MapiEmailAddress", Text),
    ("MapiAddressType", Text),
    ("MapiSearchKey", Text),
    ("MapiTransmittableDisplayName", Text),
    ("MapiSendRichInfo", Bool),
];

const GIVEN: &[&str] = &[
    "Anthony", "Zoë", "Łukasz", "José", "Søren", "Ana", "Terence", "Chloé", "Jürgen", "Aiko",
];
const FAMILY: &[&str] = &[
    "Smith", "Adams", "Müller", "O'Brien", "García", "Nguyễn", "Kowalski", "小林", "Øster",
    "Dubois",
];
const COMPANIES: &[&str] = &[
    "Contoso",
    "Smith & Sons",
    "Fabrikam <EU>",
    "Northwind \"Traders\"",
    "Tailspin Toys",
];

/// A small, fast, seeded generator (xorshift64*), so workloads are the same on every run.
struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value, 0 included, gives a usable state).
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Escapes text for element content or attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A GetImItemList response envelope with `personas` personas and about one group per ten
/// personas (plus the three default groups), each group listing member ids. The same
/// `personas` and `seed` always give the same bytes.
pub fn im_item_list_response(personas: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(personas * 12_000 + 4096);
    im_item_list_start(&mut out);
    let custom = personas / 10;
    let defaults = ["Other Contacts", "Tagged", "Favorites"];
    for g in 0..defaults.len() + custom {
        let (name, kind) = match defaults.get(g) {
            Some(name) => (
                name.to_string(),
                ["OtherContacts", "Tagged", "Favorites"][g].to_owned(),
            ),
            None => (
                format!("Team {} & Friends", g - defaults.len()),
                "UserGroup".to_owned(),
            ),
        };
        let _ = write!(
            out,
            "<t:ImGroup><t:DisplayName>{}</t:DisplayName><t:GroupType>IPM.DistList.MOC.{kind}</t:GroupType>\
             <t:ExchangeStoreId Id=\"{}\" ChangeKey=\"EgAAAA==\"/>",
            esc(&name),
            id("G", g as u64, &mut rng)
        );
        if personas > 0 && g >= 2 {
            out.push_str("<t:MemberCorrelationKey>");
            for m in 0..(personas.min(10)) {
                let member = (g * 10 + m) % personas;
                let _ = write!(
                    out,
                    "<t:ItemId Id=\"{}\" ChangeKey=\"EQAAAA==\"/>",
                    id("C", member as u64, &mut rng)
                );
            }
            out.push_str("</t:MemberCorrelationKey>");
        }
        out.push_str("</t:ImGroup>");
    }
    out.push_str("</t:Groups><t:Personas>");
    for p in 0..personas {
        persona(&mut out, p as u64, &mut rng);
    }
    out.push_str("</t:Personas></m:ImItemList></m:GetImItemListResponse></s:Body></s:Envelope>");
    out
}

/// A GetImItemList response envelope of `personas` personas in the shape of the
/// documentation's example: each person with two attributions (ids, folder ids, flags), an
/// e-mail address, display names, file-as and given and family names as attributed values,
/// home and mobile phones, an attributed e-mail and IM address; many small elements and
/// attributes, little text. Names and ids vary per persona. `indented` writes it as the
/// documentation does, a line per element indented by three spaces per level (about half
/// of the bytes whitespace); servers send it compact. The same arguments always give the
/// same bytes.
pub fn documented_persona_response(personas: usize, indented: bool, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(personas * 3_800 + 4096);
    im_item_list_start(&mut out);
    for (g, (name, kind)) in [
        ("Other Contacts", "OtherContacts"),
        ("Tagged", "Tagged"),
        ("Favorites", "Favorites"),
    ]
    .into_iter()
    .enumerate()
    {
        let _ = write!(
            out,
            "<t:ImGroup><t:DisplayName>{name}</t:DisplayName>\
             <t:GroupType>IPM.DistList.MOC.{kind}</t:GroupType>\
             <t:ExchangeStoreId Id=\"{}\" ChangeKey=\"EgAAAA==\"/></t:ImGroup>",
            id("G", g as u64, &mut rng)
        );
    }
    out.push_str("</t:Groups><t:Personas>");
    for n in 0..personas as u64 {
        documented_persona(&mut out, n, &mut rng);
    }
    out.push_str("</t:Personas></m:ImItemList></m:GetImItemListResponse></s:Body></s:Envelope>");
    if indented {
        indent(&out)
    } else {
        out
    }
}

/// One persona of [`documented_persona_response`].
fn documented_persona(out: &mut String, n: u64, rng: &mut Rng) {
    let given = rng.pick(GIVEN);
    let family = rng.pick(FAMILY);
    let email = format!("{}.{n}@contoso.com", given.to_lowercase());
    let display = esc(&format!("{given} {family} {n}"));
    let (given, family) = (esc(given), esc(family));
    let attributed = |value: &str, attributions: &[u8]| {
        let mut s = format!("<t:Value>{value}</t:Value><t:Attributions>");
        for a in attributions {
            let _ = write!(s, "<t:Attribution>{a}</t:Attribution>");
        }
        s + "</t:Attributions>"
    };
    let string = |value: &str, attributions: &[u8]| {
        format!(
            "<t:StringAttributedValue>{}</t:StringAttributedValue>",
            attributed(value, attributions)
        )
    };
    let phone = |number: u64, kind: &str| {
        format!(
            "<t:PhoneNumberAttributedValue>{}</t:PhoneNumberAttributedValue>",
            attributed(
                &format!("<t:Number>{number}</t:Number><t:Type>{kind}</t:Type>"),
                &[0]
            )
        )
    };
    let address = format!(
        "<t:Name>{email}</t:Name><t:EmailAddress>{email}</t:EmailAddress>\
         <t:RoutingType>SMTP</t:RoutingType>"
    );
    let _ = write!(
        out,
        "<t:Persona><t:PersonaId Id=\"{}\"/><t:PersonaType>Person</t:PersonaType>\
         <t:CreationTime>2012-01-12T22:14:36Z</t:CreationTime>\
         <t:DisplayName>{display}</t:DisplayName>\
         <t:DisplayNameFirstLast>{display}</t:DisplayNameFirstLast>\
         <t:DisplayNameLastFirst>{family} {given}</t:DisplayNameLastFirst>\
         <t:FileAs>{family}, {given}</t:FileAs><t:FileAsId>LastCommaFirst</t:FileAsId>\
         <t:GivenName>{given}</t:GivenName><t:Surname>{family}</t:Surname>\
         <t:EmailAddress>{address}</t:EmailAddress>\
         <t:EmailAddresses><t:Address>{address}</t:Address></t:EmailAddresses>\
         <t:ImAddress>{email}</t:ImAddress><t:RelevanceScore>2147483647</t:RelevanceScore>\
         <t:Attributions>",
        id("P", n, rng)
    );
    for (a, quick) in [(0, false), (1, true)] {
        let _ = write!(
            out,
            "<t:Attribution><t:Id>{a}</t:Id><t:SourceId Id=\"{}\" ChangeKey=\"EQAAABYAAABtF8oI\"/>\
             <t:DisplayName>Outlook</t:DisplayName><t:IsWritable>true</t:IsWritable>\
             <t:IsQuickContact>{quick}</t:IsQuickContact><t:IsHidden>false</t:IsHidden>\
             <t:FolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/></t:Attribution>",
            id("S", n * 2 + a, rng),
            id("F", a, rng)
        );
    }
    let _ = write!(
        out,
        "</t:Attributions><t:DisplayNames>{}{}</t:DisplayNames>\
         <t:FileAses>{}</t:FileAses><t:FileAsIds>{}{}</t:FileAsIds>\
         <t:GivenNames>{}</t:GivenNames><t:Surnames>{}</t:Surnames>\
         <t:HomePhones>{}</t:HomePhones><t:MobilePhones>{}</t:MobilePhones>\
         <t:Emails1><t:EmailAddressAttributedValue>{}</t:EmailAddressAttributedValue></t:Emails1>\
         <t:ImAddresses>{}</t:ImAddresses></t:Persona>",
        string(&display, &[0]),
        string(&format!("{given} {n}"), &[1]),
        string(&format!("{family}, {given}"), &[0]),
        string("LastCommaFirst", &[0]),
        string("None", &[1]),
        string(&given, &[0]),
        string(&family, &[0]),
        phone(4_255_550_000 + n % 10_000, "Home"),
        phone(4_255_560_000 + n % 10_000, "Mobile"),
        attributed(&address, &[0, 1]),
        string(&email, &[1]),
    );
}

/// `xml` with a line per element, indented by three spaces per level: whitespace goes
/// only between a tag's `>` and the next `<`, so no text changes.
fn indent(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() * 2);
    let mut depth: usize = 0;
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        let (before, tag_start) = rest.split_at(at);
        let end = tag_start.find('>').map_or(tag_start.len(), |e| e + 1);
        let tag = &tag_start[..end];
        let closing = tag.starts_with("</");
        if closing {
            depth = depth.saturating_sub(1);
        }
        if before.is_empty() && out.ends_with('>') {
            out.push('\n');
            out.push_str(&"   ".repeat(depth));
        } else {
            out.push_str(before);
        }
        out.push_str(tag);
        if !closing && !tag.starts_with("<?") && !tag.ends_with("/>") {
            depth += 1;
        }
        rest = &tag_start[end..];
    }
    out.push_str(rest);
    out
}

/// The envelope up to the first group of a successful GetImItemList answer.
fn im_item_list_start(out: &mut String) {
    let _ = write!(
        out,
        "{ENVELOPE_START}<m:GetImItemListResponse ResponseClass=\"Success\" {NAMESPACES}>\
         <m:ResponseCode>NoError</m:ResponseCode><m:ImItemList><t:Groups>"
    );
}

const ENVELOPE_START: &str = concat!(
    r#"<?xml version="1.0" encoding="utf-8"?>"#,
    r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>"#,
    r#"<h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="7741" MinorBuildNumber="18" Version="V2018_01_08" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/>"#,
    r#"</s:Header><s:Body>"#
);
const NAMESPACES: &str = concat!(
    r#"xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" "#,
    r#"xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types""#
);

/// A FindItem response envelope: one folder's `messages` messages, one page holding them
/// all, each with the properties of the default shape. The same arguments always give the
/// same bytes.
pub fn find_item_response(messages: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(messages * 3_000 + 4096);
    let _ = write!(
        out,
        "{ENVELOPE_START}<m:FindItemResponse {NAMESPACES}><m:ResponseMessages>\
         <m:FindItemResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>\
         <m:RootFolder IndexedPagingOffset=\"{messages}\" TotalItemsInView=\"{messages}\" \
         IncludesLastItemInRange=\"true\"><t:Items>"
    );
    for n in 0..messages {
        message(&mut out, n as u64, None, &mut rng);
    }
    out.push_str(
        "</t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages>\
         </m:FindItemResponse></s:Body></s:Envelope>",
    );
    out
}

/// A GetItem response envelope for `messages` requested ids: one response message per
/// item, each with the message's properties and an HTML body (with the `&#xD;` line ends
/// Exchange writes). The same arguments always give the same bytes.
pub fn get_item_response(messages: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(messages * 4_500 + 4096);
    let _ = write!(
        out,
        "{ENVELOPE_START}<m:GetItemResponse {NAMESPACES}><m:ResponseMessages>"
    );
    for n in 0..messages {
        out.push_str(
            "<m:GetItemResponseMessage ResponseClass=\"Success\">\
             <m:ResponseCode>NoError</m:ResponseCode><m:Items>",
        );
        let body = format!(
            "&lt;html&gt;&#xD;\n&lt;head&gt;&#xD;\n&lt;meta http-equiv=\"Content-Type\" \
             content=\"text/html; charset=utf-8\"&gt;&#xD;\n&lt;/head&gt;&#xD;\n&lt;body&gt;&#xD;\n\
             &lt;p&gt;Message {n}: the quarterly figures for Zürich &amp;amp; Malmö are \
             attached. Grüße, Åsa&lt;/p&gt;&#xD;\n&lt;/body&gt;&#xD;\n&lt;/html&gt;&#xD;\n"
        );
        message(&mut out, n as u64, Some(&body), &mut rng);
        out.push_str("</m:Items></m:GetItemResponseMessage>");
    }
    out.push_str("</m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>");
    out
}

/// A GetItem response envelope for one message whose `MimeContent` holds `bytes` bytes of
/// MIME (base64-encoded, as Exchange sends it in one line), as an export reads it.
pub fn get_item_mime_response(bytes: usize, seed: u64) -> String {
    use base64::Engine as _;
    let mut rng = Rng::new(seed);
    let mut mime = Vec::with_capacity(bytes);
    mime.extend_from_slice(
        b"From: asa@contoso.com\r\nSubject: Quarterly figures\r\nMIME-Version: 1.0\r\n\r\n",
    );
    while mime.len() < bytes {
        mime.extend_from_slice(&rng.next().to_le_bytes());
    }
    mime.truncate(bytes);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&mime);
    let mut out = String::with_capacity(encoded.len() + 4096);
    let _ = write!(
        out,
        "{ENVELOPE_START}<m:GetItemResponse {NAMESPACES}><m:ResponseMessages>\
         <m:GetItemResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>\
         <m:Items><t:Message><t:MimeContent CharacterSet=\"UTF-8\">{encoded}</t:MimeContent>\
         <t:ItemId Id=\"{}\" ChangeKey=\"CQAAABYAAAA=\"/><t:Subject>Quarterly figures</t:Subject>\
         </t:Message></m:Items></m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse>\
         </s:Body></s:Envelope>",
        id("I", 0, &mut rng)
    );
    out
}

/// A mailbox element (`Sender`, `From`, `ReceivedBy`, …).
fn mailbox(out: &mut String, element: &str, name: &str, address: &str) {
    let _ = write!(
        out,
        "<t:{element}><t:Mailbox><t:Name>{}</t:Name><t:EmailAddress>{address}</t:EmailAddress>\
         <t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox></t:{element}>",
        esc(name)
    );
}

/// A message with the properties of the default shape, in schema order; `body` is the
/// escaped HTML body, for GetItem.
fn message(out: &mut String, n: u64, body: Option<&str>, rng: &mut Rng) {
    let given = rng.pick(GIVEN);
    let family = rng.pick(FAMILY);
    let company = rng.pick(COMPANIES);
    let sender = format!("{given} {family}");
    let address = format!("user{}@contoso.com", n % 997);
    let day = 1 + n % 28;
    let (h, m, s) = (n / 3600 % 24, n / 60 % 60, n % 60);
    let subject = esc(&format!(
        "Re: {company} & {family}: report {n} für Q{}",
        1 + n % 4
    ));
    let _ = write!(
        out,
        "<t:Message><t:ItemId Id=\"{}\" ChangeKey=\"CQAAABYAAAD{:08x}\"/>\
         <t:ParentFolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/><t:ItemClass>IPM.Note</t:ItemClass>\
         <t:Subject>{subject}</t:Subject><t:Sensitivity>Normal</t:Sensitivity>",
        id("I", n, rng),
        rng.next() as u32,
        id("F", 0, rng),
    );
    if let Some(body) = body {
        let _ = write!(out, "<t:Body BodyType=\"HTML\">{body}</t:Body>");
    }
    let _ = write!(
        out,
        "<t:DateTimeReceived>2026-10-{day:02}T{h:02}:{m:02}:{s:02}Z</t:DateTimeReceived>\
         <t:Size>{}</t:Size><t:Importance>Normal</t:Importance><t:IsSubmitted>false</t:IsSubmitted>\
         <t:IsDraft>false</t:IsDraft><t:IsFromMe>false</t:IsFromMe><t:IsResend>false</t:IsResend>\
         <t:IsUnmodified>true</t:IsUnmodified>\
         <t:DateTimeSent>2026-10-{day:02}T{h:02}:{m:02}:{s:02}Z</t:DateTimeSent>\
         <t:DateTimeCreated>2026-10-{day:02}T{h:02}:{m:02}:{s:02}Z</t:DateTimeCreated>\
         <t:ReminderIsSet>false</t:ReminderIsSet><t:ReminderMinutesBeforeStart>0</t:ReminderMinutesBeforeStart>\
         <t:DisplayCc/><t:DisplayTo>{}</t:DisplayTo><t:HasAttachments>{}</t:HasAttachments>\
         <t:Culture>en-US</t:Culture><t:EffectiveRights><t:CreateAssociated>false</t:CreateAssociated>\
         <t:CreateContents>false</t:CreateContents><t:CreateHierarchy>false</t:CreateHierarchy>\
         <t:Delete>true</t:Delete><t:Modify>true</t:Modify><t:Read>true</t:Read>\
         <t:ViewPrivateItems>true</t:ViewPrivateItems></t:EffectiveRights>\
         <t:LastModifiedName>{}</t:LastModifiedName>\
         <t:LastModifiedTime>2026-10-{day:02}T{h:02}:{m:02}:{s:02}Z</t:LastModifiedTime>\
         <t:IsAssociated>false</t:IsAssociated>\
         <t:WebClientReadFormQueryString>https://mail.contoso.com/owa/?ItemID={}&amp;exvsurl=1&amp;viewmodel=ReadMessageItem</t:WebClientReadFormQueryString>\
         <t:ConversationId Id=\"{}\"/><t:Flag><t:FlagStatus>NotFlagged</t:FlagStatus></t:Flag>\
         <t:InstanceKey>AQAAAAAAAQ{:08x}AAAAAA</t:InstanceKey>",
        8_000 + rng.next() % 90_000,
        esc(&sender),
        n.is_multiple_of(7),
        esc(&sender),
        id("I", n, rng),
        id("C", n / 3, rng),
        n as u32,
    );
    mailbox(out, "Sender", &sender, &address);
    let _ = write!(
        out,
        "<t:IsReadReceiptRequested>false</t:IsReadReceiptRequested>\
         <t:IsDeliveryReceiptRequested>false</t:IsDeliveryReceiptRequested>\
         <t:ConversationIndex>AdRk{:016x}</t:ConversationIndex>\
         <t:ConversationTopic>{}</t:ConversationTopic>",
        rng.next(),
        esc(&format!("{company} & {family}: report {n}")),
    );
    mailbox(out, "From", &sender, &address);
    let _ = write!(
        out,
        "<t:InternetMessageId>&lt;{:016x}.{n}@contoso.com&gt;</t:InternetMessageId>\
         <t:IsRead>{}</t:IsRead><t:IsResponseRequested>false</t:IsResponseRequested>",
        rng.next(),
        !n.is_multiple_of(3),
    );
    mailbox(out, "ReceivedBy", "Åsa Lindqvist", "asa@contoso.com");
    mailbox(
        out,
        "ReceivedRepresenting",
        "Åsa Lindqvist",
        "asa@contoso.com",
    );
    out.push_str("</t:Message>");
}

/// A unique, base64-looking id.
fn id(prefix: &str, n: u64, rng: &mut Rng) -> String {
    format!("AAMkAG{prefix}{n:08}{:016x}AAA=", rng.next())
}

fn persona(out: &mut String, n: u64, rng: &mut Rng) {
    let given = rng.pick(GIVEN);
    let family = rng.pick(FAMILY);
    let company = rng.pick(COMPANIES);
    let email = format!("user{n}@contoso.com");
    out.push_str("<t:Persona>");
    for (name, kind) in PERSONA {
        let _ = write!(out, "<t:{name}");
        match kind {
            ItemId => {
                let _ = write!(out, " Id=\"{}\"/>", id("P", n, rng));
                continue;
            }
            Text => {
                let text = match *name {
                    "DisplayName" | "DisplayNameFirstLast" => format!("{given} {family}"),
                    "CompanyName" => company.to_owned(),
                    "ImAddress" => email.clone(),
                    _ => format!("{name} of {given} {family} ({n})"),
                };
                let _ = write!(out, ">{}", esc(&text));
            }
            Time => {
                let _ = write!(out, ">2012-01-{:02}T22:14:{:02}Z", 1 + n % 28, n % 60);
            }
            Int => out.push_str(">2147483647"),
            Bool => out.push_str(">false"),
            Email => {
                let _ = write!(out, ">{}", email_value(given, family, &email));
            }
            Phone => {
                let _ = write!(
                    out,
                    "><t:Number>425555{:04}</t:Number><t:Type>Business</t:Type>",
                    n % 10_000
                );
            }
            FolderIds => {
                let _ = write!(
                    out,
                    "><t:FolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/>",
                    id("F", n, rng)
                );
            }
            Attributions => {
                out.push('>');
                for a in 0..2 {
                    let _ = write!(
                        out,
                        "<t:Attribution><t:Id>{a}</t:Id><t:SourceId Id=\"{}\" ChangeKey=\"EQAAAA==\"/>\
                         <t:DisplayName>Outlook</t:DisplayName><t:IsWritable>true</t:IsWritable>\
                         <t:IsQuickContact>{}</t:IsQuickContact><t:IsHidden>false</t:IsHidden>\
                         <t:FolderId Id=\"{}\" ChangeKey=\"AQAAAA==\"/></t:Attribution>",
                        id("S", n * 2 + a, rng),
                        a == 1,
                        id("F", n, rng)
                    );
                }
            }
            Strings => {
                let _ = write!(
                    out,
                    "><t:StringAttributedValue><t:Value>{}</t:Value>{}</t:StringAttributedValue>",
                    esc(&format!("{given} {family} – {name}")),
                    attributions()
                );
            }
            Phones => {
                let _ = write!(
                    out,
                    "><t:PhoneNumberAttributedValue><t:Value><t:Number>+1 425 555 {:04}</t:Number>\
                     <t:Type>{name}</t:Type></t:Value>{}</t:PhoneNumberAttributedValue>",
                    n % 10_000,
                    attributions()
                );
            }
            Emails => {
                let _ = write!(
                    out,
                    "><t:EmailAddressAttributedValue><t:Value>{}</t:Value>{}</t:EmailAddressAttributedValue>",
                    email_value(given, family, &email),
                    attributions()
                );
            }
            Postal => {
                let _ = write!(
                    out,
                    "><t:PostalAddressAttributedValue><t:Value><t:Street>{n} Main St &amp; 2nd Ave</t:Street>\
                     <t:City>Zürich</t:City><t:State>ZH</t:State><t:Country>Switzerland</t:Country>\
                     <t:PostalCode>80{:02}</t:PostalCode><t:Type>Business</t:Type><t:Latitude>47.3769</t:Latitude>\
                     <t:Longitude>8.5417</t:Longitude></t:Value>{}</t:PostalAddressAttributedValue>",
                    n % 100,
                    attributions()
                );
            }
            StringArrays => {
                let _ = write!(
                    out,
                    "><t:StringArrayAttributedValue><t:Values><t:Value>{given}</t:Value><t:Value>{family}</t:Value>\
                     </t:Values>{}</t:StringArrayAttributedValue>",
                    attributions()
                );
            }
            Extended => {
                let _ = write!(
                    out,
                    "><t:ExtendedPropertyAttributedValue><t:Value><t:ExtendedFieldURI PropertyTag=\"0x3A45\" \
                     PropertyType=\"String\"/><t:Value>{}</t:Value></t:Value>{}</t:ExtendedPropertyAttributedValue>",
                    esc(company),
                    attributions()
                );
            }
            Addresses => {
                let _ = write!(
                    out,
                    "><t:Address>{}</t:Address>",
                    email_value(given, family, &email)
                );
            }
            Bodies => {
                let _ = write!(
                    out,
                    "><t:BodyContentAttributedValue><t:Value><t:Value>Notes about {} &lt;b&gt;{}&lt;/b&gt;</t:Value>\
                     <t:BodyType>Text</t:BodyType></t:Value>{}</t:BodyContentAttributedValue>",
                    esc(given),
                    esc(family),
                    attributions()
                );
            }
        }
        let _ = write!(out, "</t:{name}>");
    }
    out.push_str("</t:Persona>");
}

fn email_value(given: &str, family: &str, email: &str) -> String {
    format!(
        "<t:Name>{}</t:Name><t:EmailAddress>{email}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType>",
        esc(&format!("{given} {family}"))
    )
}

fn attributions() -> &'static str {
    "<t:Attributions><t:Attribution>0</t:Attribution><t:Attribution>1</t:Attribution></t:Attributions>"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::GetImItemList;
    use crate::soap::read_response;

    #[test]
    fn the_documented_shape_reads_the_same_compact_or_indented() {
        let compact = documented_persona_response(20, false, 5);
        let indented = documented_persona_response(20, true, 5);
        assert!(indented.len() > compact.len() * 3 / 2, "{indented}");
        let compact = read_response::<GetImItemList>(compact.as_bytes()).unwrap();
        let indented = read_response::<GetImItemList>(indented.as_bytes()).unwrap();
        assert_eq!(compact, indented);
        let list = compact.body.im_item_list.unwrap();
        let personas = list.personas.unwrap();
        assert_eq!(personas.len(), 20);
        assert_eq!(personas[0].attributions.as_ref().map(Vec::len), Some(2));
    }
}
