//! The export: each mail folder synchronized from where the last run stopped
//! (SyncFolderItems from its saved sync state), the new and changed messages fetched in
//! batches (GetItem with their MIME content, read one at a time) and written, then the
//! sync state saved. Killed at any moment and run again, it ends with the same files.
//! Public folders, which SyncFolderItems does not serve, are listed with FindItem and
//! compared with the items exported before.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ews_bindings::discovery::Autodiscover;
use ews_bindings::messages::{FindItem, GetItem, ResponseCode, SyncFolderItems};
use ews_bindings::types::{
    AnyItem, AnyItemId, DefaultShapeNames, DistinguishedFolderIdName, FolderId, ItemId,
    ItemQueryTraversal, ItemResponseShape, ItemsOrGroups, SyncFolderItemsChangesChoice,
    TargetFolderId,
};
use ews_bindings::{operation, Client, Error, EwsError, PublicFolderRouting, RequestHeaders};
use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::folders::{self, Folder};
use crate::state::{FolderState, States};
use crate::store::Format;

/// What to export, where, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output directory.
    pub out: PathBuf,
    /// The layout of the messages.
    pub format: Format,
    /// Only the folders whose path (display names joined by `/`, as `Inbox/Projects`) is
    /// one of these or below one of them; all mail folders when empty.
    pub folders: Vec<String>,
    /// Messages fetched per GetItem.
    pub batch: usize,
    /// Remove the messages the server deleted or moved away since the last run (by
    /// default they are kept: an archive).
    pub mirror: bool,
    /// GetItem requests in flight at once.
    pub concurrency: usize,
    /// Export the archive mailbox (its `archivemsgfolderroot`) instead of the mailbox.
    pub archive: bool,
    /// Export the public folders instead of the mailbox, reached as this says.
    pub public_folders: Option<PublicFolders>,
    /// How often a folder goes on from its saved state after the connection dropped (or
    /// could not be made, or went silent) before the run fails.
    pub reconnects: u32,
    /// The wait before going on after a dropped connection, times the number of drops so
    /// far.
    pub reconnect_wait: std::time::Duration,
}

/// How requests reach the public folders. Exchange 2013 and later keep them in public
/// folder mailboxes and route a request by its `X-AnchorMailbox` and
/// `X-PublicFolderMailbox` headers; a server that holds the public folders itself takes
/// requests without them.
#[derive(Debug, Clone, Default)]
pub struct PublicFolders {
    /// The routing of the requests about the folder tree (FindFolder), from the user's
    /// Autodiscover settings `PublicFolderInformation` and `InternalRpcClientServer`; none:
    /// unrouted.
    pub hierarchy: Option<PublicFolderRouting>,
    /// Autodiscover, and the domain, to find the mailbox holding each folder's content
    /// (asked for at `<GUID>@<domain>`, the GUID from the folder's `PR_REPLICA_LIST`);
    /// none: the content requests go as the hierarchy's.
    pub content: Option<(Autodiscover, String)>,
}

impl Options {
    /// Every mail folder into `out`, as Maildirs, 50 messages per GetItem, three GetItem
    /// requests at once, going on up to five times after dropped connections.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        Options {
            out: out.into(),
            format: Format::Maildir,
            folders: Vec::new(),
            batch: 50,
            mirror: false,
            concurrency: 3,
            archive: false,
            public_folders: None,
            reconnects: 5,
            reconnect_wait: std::time::Duration::from_secs(1),
        }
    }
}

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The mail folders exported.
    pub folders: usize,
    /// The folders left out because they do not hold mail: their path and class.
    pub other_folders: Vec<(PathBuf, String)>,
    /// The messages written.
    pub messages: u64,
    /// The messages removed, with `mirror`.
    pub removed: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The messages that could not be fetched (folder path, item id, why), and the folders
    /// the server would not synchronize (with an empty item id). They are tried again on
    /// the next run.
    pub failed: Vec<(PathBuf, String, String)>,
}

/// What an export tells as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// A folder's export starts.
    Folder {
        /// Its directory, relative to the output directory.
        path: PathBuf,
    },
    /// A message was written.
    Message {
        /// Its size.
        bytes: u64,
    },
    /// A message could not be fetched.
    Failed {
        /// Its folder's directory.
        path: PathBuf,
        /// Its id.
        item_id: String,
        /// Why.
        error: String,
    },
}

/// An export's failure: a call, or the file system.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A call failed.
    #[error(transparent)]
    Ews(#[from] Error),
    /// The options do not go together.
    #[error("{0}")]
    Usage(&'static str),
    /// Reading or writing the output directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// Exports the mailbox `client` reaches as `options` say, calling `progress` as it goes.
pub async fn export(
    client: &Client,
    options: &Options,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Report, ExportError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ExportError::Io { path, source }
    };
    if options.mirror && options.format == Format::Mbox {
        return Err(ExportError::Usage(
            "--mirror works with the maildir and eml formats: an mbox file cannot lose a \
             message without being written anew",
        ));
    }
    if options.archive && options.public_folders.is_some() {
        return Err(ExportError::Usage(
            "--archive and --public-folders each name what to export: give one of them",
        ));
    }
    std::fs::create_dir_all(&options.out).map_err(io(&options.out))?;
    let states = States::open(&options.out).map_err(io(&options.out))?;
    let saved: BTreeMap<String, FolderState> = states
        .load()
        .map_err(io(&options.out))?
        .into_iter()
        .map(|s| (s.folder_id.clone(), s))
        .collect();
    let hierarchy = options
        .public_folders
        .as_ref()
        .map(|p| routed(client, p.hierarchy.clone()));
    let mut reconnects = Reconnects::new(options);
    let folders = loop {
        let listed = match (&hierarchy, options.archive) {
            (Some(hierarchy), _) => folders::list_public(hierarchy).await,
            (None, true) => {
                folders::list(client, DistinguishedFolderIdName::Archivemsgfolderroot).await
            }
            (None, false) => folders::list(client, DistinguishedFolderIdName::Msgfolderroot).await,
        };
        match listed {
            Ok(folders) => break folders,
            Err(e) if !reconnects.go_on(&e).await => return Err(e.into()),
            Err(_) => {}
        }
    };
    let mut content_clients: BTreeMap<String, Client> = BTreeMap::new();
    let known = saved
        .iter()
        .map(|(id, s)| (id.clone(), s.path.clone()))
        .collect();
    let paths = folders::paths(&folders, &known);
    let mut report = Report::default();
    // Parents before their children, siblings by name: the order a reader expects.
    let mut order: Vec<&Folder> = folders.iter().collect();
    order.sort_by(|a, b| paths[&a.id].cmp(&paths[&b.id]));
    for folder in order {
        let path = paths[&folder.id].clone();
        if !folder.holds_mail() {
            report
                .other_folders
                .push((path, folder.class.clone().unwrap_or_default()));
            continue;
        }
        if !wanted(&path, &options.folders) {
            continue;
        }
        progress(Progress::Folder { path: path.clone() });
        let folder_client = match (&options.public_folders, &hierarchy) {
            (Some(public), Some(hierarchy)) => {
                match content_client(hierarchy, public, folder, &mut content_clients).await {
                    Ok(found) => found,
                    Err(error) => {
                        progress(Progress::Failed {
                            path: path.clone(),
                            item_id: String::new(),
                            error: error.clone(),
                        });
                        report.failed.push((path, String::new(), error));
                        continue;
                    }
                }
            }
            _ => client.clone(),
        };
        let fresh = FolderState {
            folder_id: folder.id.clone(),
            path: path.clone(),
            ..FolderState::default()
        };
        let mut state = saved.get(&folder.id).cloned().unwrap_or(fresh.clone());
        let mut reconnects = Reconnects::new(options);
        let outcome = loop {
            let mut export = FolderExport {
                client: &folder_client,
                options,
                states: &states,
                dir: options.out.join(&path),
                state,
                report: &mut report,
                progress: &mut *progress,
            };
            let outcome = export.run(folder).await;
            let Err(ExportError::Ews(e)) = &outcome else {
                break outcome;
            };
            if !reconnects.go_on(e).await {
                break outcome;
            }
            // The connection dropped: the folder goes on from its state as saved.
            let out = options.out.join(crate::state::DIR);
            state = states
                .load_folder(&folder.id)
                .map_err(io(&out))?
                .unwrap_or(fresh.clone());
        };
        match outcome {
            Ok(()) => report.folders += 1,
            // The server refuses this folder (a system folder the user may not read, say):
            // the others go on; the folder is tried again on the next run.
            Err(ExportError::Ews(Error::Ews(error))) => {
                let error = format!("the folder cannot be synchronized: {error}");
                progress(Progress::Failed {
                    path: path.clone(),
                    item_id: String::new(),
                    error: error.clone(),
                });
                report.failed.push((path, String::new(), error));
            }
            Err(other) => return Err(other),
        }
    }
    let failed = options.out.join(crate::state::DIR).join(FAILED);
    write_failed(&failed, &report.failed).map_err(io(&failed))?;
    Ok(report)
}

/// Going on after dropped connections: how often so far, within the options' bound.
struct Reconnects<'o> {
    options: &'o Options,
    count: u32,
}

impl<'o> Reconnects<'o> {
    fn new(options: &'o Options) -> Self {
        Reconnects { options, count: 0 }
    }

    /// Whether to go on after `error`: a lost connection, within the bound. It waits
    /// first, longer each time.
    async fn go_on(&mut self, error: &Error) -> bool {
        if !error.is_connection_lost() || self.count >= self.options.reconnects {
            return false;
        }
        self.count += 1;
        tracing::info!(%error, reconnect = self.count, "connection lost; going on");
        tokio::time::sleep(self.options.reconnect_wait * self.count).await;
        true
    }
}

/// `client` sending its headers routed by `routing` (unchanged without one).
fn routed(client: &Client, routing: Option<PublicFolderRouting>) -> Client {
    match routing {
        Some(routing) => client.with_headers(RequestHeaders {
            public_folders: Some(routing),
            ..client.headers().clone()
        }),
        None => client.clone(),
    }
}

/// The client for the items of the public folder `folder`: routed to the mailbox holding
/// its content, found with Autodiscover (once per mailbox); the hierarchy's client when
/// there is nothing to find it with.
async fn content_client(
    hierarchy: &Client,
    public: &PublicFolders,
    folder: &Folder,
    found: &mut BTreeMap<String, Client>,
) -> Result<Client, String> {
    let (Some((autodiscover, domain)), Some(guid)) = (&public.content, &folder.content_mailbox)
    else {
        return Ok(hierarchy.clone());
    };
    if let Some(client) = found.get(guid) {
        return Ok(client.clone());
    }
    const SETTING: &str = "AutoDiscoverSMTPAddress";
    let address = format!("{guid}@{domain}");
    let discovered = autodiscover
        .clone()
        .user_settings([SETTING])
        .discover(&address)
        .await
        .map_err(|e| format!("the mailbox holding the folder's content was not found: {e}"))?;
    let Some(mailbox) = discovered.settings.get(SETTING) else {
        return Err(format!(
            "the mailbox holding the folder's content was not found: Autodiscover gave no \
             {SETTING} for {address}"
        ));
    };
    let client = routed(
        hierarchy,
        Some(PublicFolderRouting::content(mailbox.clone())),
    );
    found.insert(guid.clone(), client.clone());
    Ok(client)
}

/// The report of what the last run could not export, in the state directory: a line per
/// message or folder, `folder path<TAB>item id<TAB>why` (no item id for a folder).
pub const FAILED: &str = "failed.tsv";

/// Writes the report of `failed`, or removes it when nothing failed.
fn write_failed(path: &Path, failed: &[(PathBuf, String, String)]) -> std::io::Result<()> {
    if failed.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let lines: String = failed
        .iter()
        .map(|(folder, item, why)| {
            let why = why.replace(['\t', '\n', '\r'], " ");
            format!("{}\t{item}\t{why}\n", folder.display())
        })
        .collect();
    std::fs::write(path, lines)
}

/// Whether a folder at `path` is among those asked for (all when none are named).
fn wanted(path: &Path, asked: &[String]) -> bool {
    asked.is_empty() || asked.iter().any(|a| path.starts_with(a.trim_matches('/')))
}

/// What fetching a batch of messages did.
struct Fetched {
    /// The size of each message written.
    written: Vec<u64>,
    /// The items that could not be fetched, with the server's error.
    errors: Vec<(String, EwsError)>,
}

/// Fetches the messages of the items `batch` with one GetItem and writes each into `dir`
/// as it is read.
async fn fetch_batch(
    client: &Client,
    format: Format,
    dir: &Path,
    batch: &[String],
) -> Result<Fetched, ExportError> {
    let shape = ItemResponseShape {
        include_mime_content: Some(true),
        ..DefaultShapeNames::IdOnly.into()
    };
    let ids: Vec<AnyItemId> = batch
        .iter()
        .map(|id| AnyItemId::from(ItemId::new(id.as_str())))
        .collect();
    let request = GetItem::new(shape, ids);
    let mut written = Vec::new();
    let mut failed = None;
    let response = client
        .call_each::<operation::GetItem, _>(&request, |item: AnyItem| {
            let (Some(id), Some(mime)) = (item.item_id(), item.mime_content()) else {
                return;
            };
            if failed.is_some() {
                return;
            }
            match format.write(dir, &id.id, &mime.value.0) {
                Ok(()) => written.push(mime.value.0.len() as u64),
                Err(source) => {
                    let path = format.path(dir, &id.id);
                    failed = Some(ExportError::Io { path, source });
                }
            }
        })
        .await?;
    if let Some(failed) = failed {
        return Err(failed);
    }
    let errors = response
        .output
        .errors()
        .map(|(index, error)| (batch[index].clone(), error.clone()))
        .collect();
    Ok(Fetched { written, errors })
}

/// One folder's export.
struct FolderExport<'a> {
    client: &'a Client,
    options: &'a Options,
    states: &'a States,
    dir: PathBuf,
    state: FolderState,
    report: &'a mut Report,
    progress: &'a mut (dyn FnMut(Progress) + Send),
}

impl FolderExport<'_> {
    fn io(&self, path: &Path) -> impl FnOnce(std::io::Error) -> ExportError {
        let path = path.to_owned();
        move |source| ExportError::Io { path, source }
    }

    async fn run(&mut self, folder: &Folder) -> Result<(), ExportError> {
        let format = self.options.format;
        format
            .prepare(&self.dir, self.state.committed)
            .map_err(self.io(&self.dir))?;
        // What failed last time first; then what changed since the saved sync state.
        let retry = std::mem::take(&mut self.state.failed);
        self.fetch(retry).await?;
        self.save()?;
        if self.options.public_folders.is_some() {
            return self.list_and_compare(folder).await;
        }
        let mut request = SyncFolderItems {
            sync_state: self.state.sync_state.clone().map(Into::into),
            ..SyncFolderItems::new(
                DefaultShapeNames::IdOnly,
                TargetFolderId::new(FolderId::new(folder.id.as_str())),
                512,
            )
        };
        loop {
            match self.sync(&request).await {
                // A sync state the server no longer takes: start the folder over (the
                // messages already written are written again in place).
                Err(ExportError::Ews(e))
                    if e.response_code() == Some(&ResponseCode::ErrorInvalidSyncStateData)
                        && request.sync_state.is_some() =>
                {
                    tracing::debug!(folder = %self.state.path.display(), "sync state refused; starting over");
                    request.sync_state = None;
                    // An mbox starts over too: its messages come again.
                    self.state.committed = 0;
                    format.prepare(&self.dir, 0).map_err(self.io(&self.dir))?;
                }
                other => return other,
            }
        }
    }

    /// Pages through the changes from `request`'s sync state, writing each page's messages
    /// and then saving the sync state after it.
    async fn sync(&mut self, request: &SyncFolderItems) -> Result<(), ExportError> {
        let client = self.client;
        let mut pages =
            std::pin::pin!(client.pages::<operation::SyncFolderItems>(request.clone(), 512));
        while let Some(page) = pages.try_next().await? {
            let mut ids = Vec::new();
            let mut deleted = Vec::new();
            for change in page.changes.into_iter().flatten() {
                match change {
                    SyncFolderItemsChangesChoice::Create(c) => {
                        ids.extend(c.item.item_id().map(|id| id.id.to_string()));
                    }
                    // A message changed (its flags, its categories) is written anew where
                    // a file holds it; an mbox keeps it as first written.
                    SyncFolderItemsChangesChoice::Update(c)
                        if self.options.format != Format::Mbox =>
                    {
                        ids.extend(c.item.item_id().map(|id| id.id.to_string()));
                    }
                    SyncFolderItemsChangesChoice::Update(_) => {}
                    SyncFolderItemsChangesChoice::Delete(d) => deleted.push(d.item_id.id),
                    SyncFolderItemsChangesChoice::ReadFlagChange(_) => {}
                }
            }
            self.fetch(ids).await?;
            if self.options.mirror {
                self.remove(&deleted)?;
            }
            self.state.sync_state = page.sync_state.map(|s| s.to_string());
            self.save()?;
        }
        Ok(())
    }

    /// A public folder: its items listed (FindItem, a page at a time), the new ones fetched
    /// and noted as exported a page at a time, and with `mirror`, the messages of items
    /// gone removed. A message changed after it was exported is kept as it was.
    async fn list_and_compare(&mut self, folder: &Folder) -> Result<(), ExportError> {
        const PAGE: usize = 512;
        let request = FindItem::new(
            ItemQueryTraversal::Shallow,
            DefaultShapeNames::IdOnly,
            vec![FolderId::new(folder.id.as_str()).into()],
        );
        let mut listed = Vec::new();
        let client = self.client;
        let mut pages = std::pin::pin!(client.pages::<operation::FindItem>(request, PAGE as u32));
        while let Some(page) = pages.try_next().await? {
            if let Some(ItemsOrGroups::Items(items)) = page.root_folder.map(|r| r.items_or_groups) {
                listed.extend(
                    items
                        .iter()
                        .filter_map(|i| i.item_id())
                        .map(|id| id.id.to_string()),
                );
            }
        }
        let exported: BTreeSet<String> = self.state.items.iter().cloned().collect();
        let new: Vec<String> = listed
            .iter()
            .filter(|id| !exported.contains(*id))
            .cloned()
            .collect();
        for chunk in new.chunks(PAGE) {
            self.fetch(chunk.to_vec()).await?;
            self.state.items.extend(chunk.iter().cloned());
            self.save()?;
        }
        if self.options.mirror {
            let listed: BTreeSet<&String> = listed.iter().collect();
            let gone: Vec<&String> = exported.iter().filter(|id| !listed.contains(id)).collect();
            self.remove(&gone)?;
            self.state.items.retain(|id| listed.contains(id));
            self.save()?;
        }
        Ok(())
    }

    /// Fetches the messages of `ids`, a batch at a time (`concurrency` batches at once),
    /// and writes them; the items that fail (but for those gone meanwhile) are kept to be
    /// tried again.
    async fn fetch(&mut self, ids: Vec<String>) -> Result<(), ExportError> {
        let (client, format, dir) = (self.client, self.options.format, self.dir.clone());
        let batches = ids.chunks(self.options.batch.max(1));
        let mut fetched = stream::iter(batches)
            .map(|batch| fetch_batch(client, format, &dir, batch))
            .buffer_unordered(self.options.concurrency.max(1));
        while let Some(fetched) = fetched.try_next().await? {
            for bytes in fetched.written {
                self.report.messages += 1;
                self.report.bytes += bytes;
                (self.progress)(Progress::Message { bytes });
            }
            for (item_id, error) in fetched.errors {
                self.failed(&item_id, &error);
            }
        }
        format.sync(&self.dir).map_err(self.io(&self.dir))
    }

    /// Removes the messages of `deleted` items, those there are.
    fn remove(&mut self, deleted: &[impl AsRef<str>]) -> Result<(), ExportError> {
        let format = self.options.format;
        for id in deleted {
            let path = format.path(&self.dir, id.as_ref());
            match std::fs::remove_file(&path) {
                Ok(()) => self.report.removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(ExportError::Io { path, source }),
            }
        }
        if !deleted.is_empty() {
            format.sync(&self.dir).map_err(self.io(&self.dir))?;
        }
        Ok(())
    }

    /// Notes an item that could not be fetched: gone meanwhile is no failure of the export
    /// (its deletion comes with the next sync); anything else is tried again next run.
    fn failed(&mut self, item_id: &str, error: &EwsError) {
        if error.response_code == ResponseCode::ErrorItemNotFound {
            return;
        }
        self.state.failed.push(item_id.to_owned());
        let failure = (
            self.state.path.clone(),
            item_id.to_owned(),
            error.to_string(),
        );
        (self.progress)(Progress::Failed {
            path: failure.0.clone(),
            item_id: failure.1.clone(),
            error: failure.2.clone(),
        });
        self.report.failed.push(failure);
    }

    /// Saves the folder's state, with what its mbox holds now that it is on disk.
    fn save(&mut self) -> Result<(), ExportError> {
        self.state.committed = self
            .options
            .format
            .committed(&self.dir)
            .map_err(self.io(&self.dir))?;
        self.states
            .save(&self.state)
            .map_err(self.io(&self.options.out.join(crate::state::DIR)))
    }
}
