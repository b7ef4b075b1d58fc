//! A stateful mailbox for tests (features `mock` and `all-operations`): see [`Mailbox`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{MockResponse, MockServer, Part, Routes};
use crate::messages::AnyPaging;
use crate::operation;
use crate::types::{AnyFolderId, AnyItemId, TargetFolderIdChoice};

const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

/// A folder of the mailbox.
#[derive(Clone, Debug)]
struct Folder {
    id: String,
    parent: String,
    name: String,
    class: String,
}

/// A change of the log.
#[derive(Clone, Debug)]
enum Change {
    Created { folder: String, item: String },
    Deleted { folder: String, item: String },
}

#[derive(Default)]
struct State {
    folders: Vec<Folder>,
    /// Item id → (folder id, MIME).
    items: BTreeMap<String, (String, Vec<u8>)>,
    log: Vec<Change>,
    /// Items whose GetItem answers ErrorAccessDenied, and folders whose SyncFolderItems
    /// does.
    refused: BTreeSet<String>,
    /// Items deleted just before they are fetched (after the sync named them).
    vanishing: BTreeSet<String>,
    /// How many GetItem answers are ErrorServerBusy before the next one goes through.
    busy: usize,
    /// How many EWS answers are cut halfway (the connection dropped) before the next one
    /// comes whole.
    drops: usize,
    /// The item ids GetItem was asked for, in order.
    fetched: Vec<String>,
    /// Public folder id → the GUID of the mailbox holding its content.
    replicas: BTreeMap<String, String>,
    next: usize,
}

/// A mailbox for tests, served on the loopback endpoint by [`Mailbox::serve`]: folders
/// (below the distinguished roots, named by the ids `root` for `msgfolderroot`,
/// `archive-root` for `archivemsgfolderroot` and `public-root` for `publicfoldersroot`),
/// messages with their MIME content, and a log of their additions and deletions. It
/// answers SyncFolderHierarchy, SyncFolderItems (a sync state is a position in the log,
/// pages as MaxChangesReturned says), GetItem (the MIME content; ErrorItemNotFound for an
/// item gone), FindFolder of public folders a level at a time (each naming the mailbox
/// holding its content in `PR_REPLICA_LIST`) and FindItem (pages as the view says); and
/// Autodiscover v2 and SOAP, which give the server's own URL and the settings routing
/// public folder requests ([`Mailbox::HIERARCHY_SERVER`]). Failures come when asked:
/// refused items and folders, items vanishing between a sync and a fetch, a busy server,
/// dropped connections.
/// Clones share the mailbox.
///
/// ```
/// use ews_bindings::mock::Mailbox;
/// use ews_bindings::{messages, operation, types, Client};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mailbox = Mailbox::default();
/// mailbox.folder("inbox", "root", "Inbox", "IPF.Note");
/// let ids = mailbox.add("inbox", 3);
/// let server = mailbox.serve(std::time::Duration::ZERO).await?;
/// let client = Client::builder(server.url()).build()?;
/// let request = messages::SyncFolderItems::new(
///     types::DefaultShapeNames::IdOnly,
///     types::TargetFolderId::new(types::FolderId::new("inbox")),
///     512,
/// );
/// let answer = client.call::<operation::SyncFolderItems>(&request).await?.output;
/// let (_, message) = answer.messages().next().unwrap();
/// assert_eq!(message.changes.as_ref().map_or(0, Vec::len), ids.len());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Mailbox(Arc<Mutex<State>>);

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("Mailbox")
            .field("folders", &state.folders.len())
            .field("items", &state.items.len())
            .finish_non_exhaustive()
    }
}

/// A message with a text part and a small attachment, as MIME with CRLF line ends.
fn mime(n: usize, subject: &str) -> Vec<u8> {
    format!(
        "From: Ann <ann@contoso.com>\r\nTo: Bob <bob@contoso.com>\r\nSubject: {subject}\r\n\
         Message-ID: <{n}@contoso.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b{n}\"\r\n\r\n--b{n}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nMessage {n}: déjà vu.\r\n\
         From the desk of Ann,\r\n>From a quoted reply.\r\n--b{n}\r\n\
         Content-Type: application/octet-stream; name=\"a{n}.bin\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQ==\r\n--b{n}--\r\n"
    )
    .into_bytes()
}

impl Mailbox {
    /// The GUID address the user's `InternalRpcClientServer` setting names: the public
    /// folder hierarchy mailbox's (its `PublicFolderInformation` is
    /// `pf-hierarchy@contoso.com`; a content mailbox `<GUID>@…` is `pf-<GUID>@contoso.com`).
    pub const HIERARCHY_SERVER: &'static str = "0b6f5c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e@contoso.com";

    /// The GUID of a public folder content mailbox that Autodiscover does not know.
    pub const UNKNOWN_MAILBOX: &'static str = "00000000-0000-0000-0000-000000000000";

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves a state still worth reading.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds the folder `id` below `parent` (a folder's id, or `root`, `archive-root`), with
    /// its display name and class (`IPF.Note` for mail, `IPF.Appointment`, …).
    pub fn folder(&self, id: &str, parent: &str, name: &str, class: &str) {
        self.state().folders.push(Folder {
            id: id.into(),
            parent: parent.into(),
            name: name.into(),
            class: class.into(),
        });
    }

    /// Adds the public folder `id` (`parent` is `public-root` at the top), its content in
    /// the public folder mailbox with the GUID `replica`.
    pub fn public_folder(&self, id: &str, parent: &str, name: &str, class: &str, replica: &str) {
        self.folder(id, parent, name, class);
        self.state().replicas.insert(id.into(), replica.into());
    }

    /// Adds `count` messages to `folder`; their ids.
    pub fn add(&self, folder: &str, count: usize) -> Vec<String> {
        self.add_sized(folder, count, 0)
    }

    /// Adds `count` messages to `folder`, each with `padding` more bytes of text; their
    /// ids.
    pub fn add_sized(&self, folder: &str, count: usize, padding: usize) -> Vec<String> {
        let mut state = self.state();
        (0..count)
            .map(|_| {
                state.next += 1;
                let n = state.next;
                let id = format!("AAMkAD{n:06}=");
                let mut body = mime(n, &format!("Message {n} in {folder}"));
                let line =
                    b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n";
                let at = body.len() - format!("--b{n}--\r\n").len();
                let pad: Vec<u8> = line.iter().copied().cycle().take(padding).collect();
                body.splice(at..at, pad);
                state.items.insert(id.clone(), (folder.to_owned(), body));
                state.log.push(Change::Created {
                    folder: folder.into(),
                    item: id.clone(),
                });
                id
            })
            .collect()
    }

    /// Deletes the message `item` (a change of the log).
    pub fn delete(&self, item: &str) {
        let mut state = self.state();
        if let Some((folder, _)) = state.items.remove(item) {
            state.log.push(Change::Deleted {
                folder,
                item: item.into(),
            });
        }
    }

    /// The MIME of each item of `folder`, by item id.
    pub fn messages(&self, folder: &str) -> BTreeMap<String, Vec<u8>> {
        let state = self.state();
        state
            .items
            .iter()
            .filter(|(_, (f, _))| f == folder)
            .map(|(id, (_, mime))| (id.clone(), mime.clone()))
            .collect()
    }

    /// Makes the server refuse `id` (ErrorAccessDenied): an item's GetItem, or a folder's
    /// SyncFolderItems.
    pub fn refuse(&self, id: &str) {
        self.state().refused.insert(id.into());
    }

    /// Makes the server refuse nothing any more.
    pub fn accept_all(&self) {
        self.state().refused.clear();
    }

    /// Makes the message `item` vanish when it is next fetched: it is deleted (a change of
    /// the log) and GetItem answers ErrorItemNotFound, as when it goes between a sync and
    /// a fetch.
    pub fn vanish(&self, item: &str) {
        self.state().vanishing.insert(item.into());
    }

    /// Makes the next `answers` GetItem answers ErrorServerBusy (with a back-off of 5 ms).
    pub fn busy(&self, answers: usize) {
        self.state().busy = answers;
    }

    /// Makes the next `answers` EWS answers stop halfway, the connection dropped.
    pub fn drop_connections(&self, answers: usize) {
        self.state().drops = answers;
    }

    /// The item ids GetItem was asked for so far, in order.
    pub fn fetched(&self) -> Vec<String> {
        self.state().fetched.clone()
    }

    /// The loopback endpoint serving the mailbox, each answer after `delay`.
    pub async fn serve(&self, delay: Duration) -> std::io::Result<MockServer> {
        let hierarchy = self.clone();
        let sync = self.clone();
        let get = self.clone();
        let find_folders = self.clone();
        let find_items = self.clone();
        let dropping = self.clone();
        let routes = Routes::new()
            .respond::<operation::SyncFolderHierarchy>(move |request| {
                let root = match request.sync_folder_id.map(|f| f.folder_id) {
                    Some(TargetFolderIdChoice::DistinguishedFolderId(d)) => d.id.to_string(),
                    other => panic!("{other:?}"),
                };
                hierarchy.hierarchy(&root).with_delay(delay)
            })
            .respond::<operation::SyncFolderItems>(move |request| {
                let folder = match request.sync_folder_id.folder_id {
                    TargetFolderIdChoice::FolderId(id) => id.id.to_string(),
                    other => panic!("{other:?}"),
                };
                let from = request
                    .sync_state
                    .as_deref()
                    .map_or(0, |s| s.trim_start_matches("log-").parse().unwrap());
                sync.sync_items(&folder, from, request.max_changes_returned as usize)
                    .with_delay(delay)
            })
            .respond::<operation::GetItem>(move |request| {
                let ids = request
                    .item_ids
                    .iter()
                    .map(|id| match id {
                        AnyItemId::ItemId(id) => id.id.to_string(),
                        other => panic!("{other:?}"),
                    })
                    .collect::<Vec<_>>();
                get.get_items(&ids).with_delay(delay)
            })
            .respond::<operation::FindFolder>(move |request| {
                let parent = match &request.parent_folder_ids[..] {
                    [AnyFolderId::DistinguishedFolderId(d)] => match d.id.as_str() {
                        "publicfoldersroot" => "public-root".to_owned(),
                        other => panic!("FindFolder below {other}"),
                    },
                    [AnyFolderId::FolderId(id)] => id.id.to_string(),
                    other => panic!("{other:?}"),
                };
                find_folders.find_folders(&parent).with_delay(delay)
            })
            .respond::<operation::FindItem>(move |request| {
                let folder = match &request.parent_folder_ids[..] {
                    [AnyFolderId::FolderId(id)] => id.id.to_string(),
                    other => panic!("{other:?}"),
                };
                let (offset, max) = match &request.paging {
                    Some(AnyPaging::IndexedPageItemView(v)) => (
                        v.offset as usize,
                        v.max_entries_returned.map(|m| m as usize),
                    ),
                    _ => (0, None),
                };
                find_items
                    .find_items(&folder, offset, max)
                    .with_delay(delay)
            });
        // Autodiscover v2 and SOAP Autodiscover on the same host: the EWS URL is this
        // server's; the user's settings name the public folder hierarchy mailbox, and a
        // content mailbox's GUID address its SMTP address.
        MockServer::start_with(move |request| {
            let host = request.header("host").unwrap_or_default();
            let url = format!("http://{host}/EWS/Exchange.asmx");
            if request.path == "/autodiscover/autodiscover.svc" {
                let text = request.text();
                let mailbox = text
                    .split_once("Mailbox>")
                    .and_then(|(_, rest)| rest.split_once('<'))
                    .map_or("", |(m, _)| m);
                let mut settings = vec![("ExternalEwsUrl", url)];
                match mailbox.split_once('@') {
                    // A content mailbox Autodiscover does not know.
                    Some((user, _)) if user == Self::UNKNOWN_MAILBOX => {
                        return MockResponse::xml("").with_status(404)
                    }
                    Some((user, _)) if user.len() == 36 => {
                        settings
                            .push(("AutoDiscoverSMTPAddress", format!("pf-{user}@contoso.com")));
                    }
                    _ => {
                        settings
                            .push(("PublicFolderInformation", "pf-hierarchy@contoso.com".into()));
                        settings.push(("InternalRpcClientServer", Self::HIERARCHY_SERVER.into()));
                    }
                }
                return MockResponse::xml(user_settings(&settings));
            }
            match request.path.starts_with("/autodiscover/") {
                true => MockResponse::xml(format!(r#"{{"Protocol":"EWS","Url":"{url}"}}"#))
                    .with_header("Content-Type", "application/json"),
                false => dropping.maybe_cut(routes.answer_to(request)),
            }
        })
        .await
    }

    /// `answer`, or its first half and a dropped connection while drops are asked for.
    fn maybe_cut(&self, answer: MockResponse) -> MockResponse {
        let mut state = self.state();
        if state.drops == 0 {
            return answer;
        }
        state.drops -= 1;
        let half = answer.body[..answer.body.len() / 2].to_vec();
        MockResponse::streamed(vec![Part::Chunk(half), Part::Cut]).with_delay(answer.delay)
    }

    /// The public folders whose parent is `parent`.
    fn find_folders(&self, parent: &str) -> MockResponse {
        let state = self.state();
        let children = |id: &str| state.folders.iter().filter(|f| f.parent == id).count();
        let folders: String = state
            .folders
            .iter()
            .filter(|f| f.parent == parent)
            .map(|f| {
                // The GUID as ASCII, then what else the property holds.
                let replica = state.replicas.get(&f.id).cloned().unwrap_or_default();
                let mut bytes = replica.into_bytes();
                bytes.extend_from_slice(b"\0\x01\x02");
                format!(
                    r#"<t:Folder><t:FolderId Id="{}"/><t:ParentFolderId Id="{}"/><t:FolderClass>{}</t:FolderClass><t:DisplayName>{}</t:DisplayName><t:ChildFolderCount>{}</t:ChildFolderCount><t:ExtendedProperty><t:ExtendedFieldURI PropertyTag="0x6698" PropertyType="Binary"/><t:Value>{}</t:Value></t:ExtendedProperty></t:Folder>"#,
                    f.id,
                    f.parent,
                    f.class,
                    escape(&f.name),
                    children(&f.id),
                    base64(&bytes)
                )
            })
            .collect();
        MockResponse::envelope(&format!(
            r#"<m:FindFolderResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:FindFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder IncludesLastItemInRange="true"><t:Folders>{folders}</t:Folders></m:RootFolder></m:FindFolderResponseMessage></m:ResponseMessages></m:FindFolderResponse>"#
        ))
    }

    /// A page of the items of `folder`: `max` of them (all without) from `offset`.
    fn find_items(&self, folder: &str, offset: usize, max: Option<usize>) -> MockResponse {
        let state = self.state();
        let all: Vec<&String> = state
            .items
            .iter()
            .filter(|(_, (f, _))| f == folder)
            .map(|(id, _)| id)
            .collect();
        let end = max.map_or(all.len(), |m| (offset + m).min(all.len()));
        let items: String = all[offset.min(end)..end]
            .iter()
            .map(|id| {
                format!(r#"<t:Message><t:ItemId Id="{id}" ChangeKey="CQAAAA=="/></t:Message>"#)
            })
            .collect();
        let last = end >= all.len();
        MockResponse::envelope(&format!(
            r#"<m:FindItemResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder IndexedPagingOffset="{end}" TotalItemsInView="{}" IncludesLastItemInRange="{last}"><t:Items>{items}</t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>"#,
            all.len()
        ))
    }

    /// The folders below the distinguished folder `root` (`msgfolderroot`: those whose
    /// chain of parents ends at `root`; `archivemsgfolderroot`: at `archive-root`).
    fn hierarchy(&self, root: &str) -> MockResponse {
        let state = self.state();
        let top = match root {
            "msgfolderroot" => "root",
            "archivemsgfolderroot" => "archive-root",
            other => panic!("no folders below {other}"),
        };
        let below = |folder: &Folder| {
            let mut parent = folder.parent.as_str();
            while let Some(up) = state.folders.iter().find(|f| f.id == parent) {
                parent = up.parent.as_str();
            }
            parent == top
        };
        let changes: String = state
            .folders
            .iter()
            .filter(|f| below(f))
            .map(|f| {
                let element = match f.class.as_str() {
                    "IPF.Appointment" => "CalendarFolder",
                    "IPF.Contact" => "ContactsFolder",
                    _ => "Folder",
                };
                format!(
                    r#"<t:Create><t:{element}><t:FolderId Id="{}"/><t:ParentFolderId Id="{}"/><t:FolderClass>{}</t:FolderClass><t:DisplayName>{}</t:DisplayName></t:{element}></t:Create>"#,
                    f.id,
                    f.parent,
                    f.class,
                    escape(&f.name)
                )
            })
            .collect();
        MockResponse::envelope(&format!(
            r#"<m:SyncFolderHierarchyResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:SyncFolderHierarchyResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>hierarchy</m:SyncState><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange><m:Changes>{changes}</m:Changes></m:SyncFolderHierarchyResponseMessage></m:ResponseMessages></m:SyncFolderHierarchyResponse>"#
        ))
    }

    fn sync_items(&self, folder: &str, from: usize, max: usize) -> MockResponse {
        let state = self.state();
        if state.refused.contains(folder) {
            return MockResponse::envelope(&format!(
                r#"<m:SyncFolderItemsResponse xmlns:m="{M}"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Error"><m:MessageText>Access is denied.</m:MessageText><m:ResponseCode>ErrorAccessDenied</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>"#
            ));
        }
        let mut changes = String::new();
        let mut at = from;
        let mut count = 0;
        while at < state.log.len() && count < max {
            match &state.log[at] {
                Change::Created { folder: f, item } if f == folder => {
                    changes.push_str(&format!(
                        r#"<t:Create><t:Message><t:ItemId Id="{item}" ChangeKey="CQAAAA=="/></t:Message></t:Create>"#
                    ));
                    count += 1;
                }
                Change::Deleted { folder: f, item } if f == folder => {
                    changes.push_str(&format!(
                        r#"<t:Delete><t:ItemId Id="{item}" ChangeKey="CQAAAA=="/></t:Delete>"#
                    ));
                    count += 1;
                }
                _ => {}
            }
            at += 1;
        }
        let last = at >= state.log.len();
        MockResponse::envelope(&format!(
            r#"<m:SyncFolderItemsResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>log-{at}</m:SyncState><m:IncludesLastItemInRange>{last}</m:IncludesLastItemInRange><m:Changes>{changes}</m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>"#
        ))
    }

    fn get_items(&self, ids: &[String]) -> MockResponse {
        let mut state = self.state();
        if state.busy > 0 {
            state.busy -= 1;
            return MockResponse::envelope(&format!(
                r#"<m:GetItemResponse xmlns:m="{M}"><m:ResponseMessages><m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>The server cannot service this request right now. Try again later.</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:MessageXml><t:Value xmlns:t="{T}" Name="BackOffMilliseconds">5</t:Value></m:MessageXml><m:Items/></m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse>"#
            ));
        }
        state.fetched.extend(ids.iter().cloned());
        let mut messages = String::new();
        for id in ids {
            if state.vanishing.remove(id) {
                if let Some((folder, _)) = state.items.remove(id) {
                    state.log.push(Change::Deleted {
                        folder,
                        item: id.clone(),
                    });
                }
            }
            let error = |code: &str| {
                format!(
                    r#"<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>{code}</m:MessageText><m:ResponseCode>{code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:Items/></m:GetItemResponseMessage>"#
                )
            };
            let message = match state.items.get(id) {
                _ if state.refused.contains(id) => error("ErrorAccessDenied"),
                None => error("ErrorItemNotFound"),
                Some((_, mime)) => format!(
                    r#"<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">{}</t:MimeContent><t:ItemId Id="{id}" ChangeKey="CQAAAA=="/></t:Message></m:Items></m:GetItemResponseMessage>"#,
                    base64(mime)
                ),
            };
            messages.push_str(&message);
        }
        MockResponse::envelope(&format!(
            r#"<m:GetItemResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages>{messages}</m:ResponseMessages></m:GetItemResponse>"#
        ))
    }
}

/// A SOAP Autodiscover GetUserSettings answer giving `settings`.
fn user_settings(settings: &[(&str, String)]) -> String {
    let settings: String = settings
        .iter()
        .map(|(name, value)| {
            format!(
                r#"<UserSetting i:type="StringSetting"><Name>{name}</Name><Value>{value}</Value></UserSetting>"#
            )
        })
        .collect();
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetUserSettingsResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover"><Response xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><ErrorCode>NoError</ErrorCode><ErrorMessage/><UserResponses><UserResponse><ErrorCode>NoError</ErrorCode><ErrorMessage/><RedirectTarget/><UserSettingErrors/><UserSettings>{settings}</UserSettings></UserResponse></UserResponses></Response></GetUserSettingsResponseMessage></s:Body></s:Envelope>"#
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
