//! Exports the Inbox as one `.eml` file per message: FindItem pages through the Inbox's item
//! ids, GetItem fetches each batch's MIME content. It runs against the loopback endpoint,
//! which serves a small mailbox (`mailbox` below); point `Client::builder` at your server's
//! URL, with its authentication, to export a real one.
//!
//! ```sh
//! EWS_SCHEMA_DIR=/path/to/schema cargo run --features all-operations,mock --example export_inbox -- OUT_DIR
//! ```

use std::path::{Path, PathBuf};

use ews_bindings::messages::{FindItem, GetItem};
use ews_bindings::mock::{MockServer, Routes};
use ews_bindings::types::{
    AnyItem, AnyItemId, DefaultShapeNames, DistinguishedFolderIdName, ItemQueryTraversal,
    ItemResponseShape,
};
use ews_bindings::{operation, Client};
use futures_util::TryStreamExt;

/// Writes every message of the Inbox to `dir` as `<n>.eml`; returns how many.
async fn export(client: &Client, dir: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let find = FindItem::new(
        ItemQueryTraversal::Shallow,
        DefaultShapeNames::IdOnly,
        vec![DistinguishedFolderIdName::Inbox.into()],
    );
    let mut pages = std::pin::pin!(client.pages::<operation::FindItem>(find, 100));
    let mut written = 0;
    while let Some(page) = pages.try_next().await? {
        let Some(folder) = page.root_folder else {
            continue;
        };
        let ids: Vec<AnyItemId> = match folder.items_or_groups {
            ews_bindings::types::ItemsOrGroups::Items(items) => items
                .iter()
                .filter_map(|item| item.item_id().cloned().map(AnyItemId::from))
                .collect(),
            ews_bindings::types::ItemsOrGroups::Groups(_) => Vec::new(),
        };
        if ids.is_empty() {
            continue;
        }
        let shape = ItemResponseShape {
            include_mime_content: Some(true),
            ..DefaultShapeNames::IdOnly.into()
        };
        let request = GetItem::new(shape, ids);
        let response = client
            .call_each::<operation::GetItem, _>(&request, |item: AnyItem| {
                if let Some(mime) = item.mime_content() {
                    written += 1;
                    let file = dir.join(format!("{written}.eml"));
                    if let Err(e) = std::fs::write(&file, &*mime.value) {
                        eprintln!("cannot write {}: {e}", file.display());
                    }
                }
            })
            .await?;
        for (index, error) in response.output.errors() {
            eprintln!("item {index} of the batch was not exported: {error}");
        }
    }
    Ok(written)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "inbox-export".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let server = MockServer::route(mailbox()).await?;
    let client = Client::builder(server.url()).build()?;
    let written = export(&client, &dir).await?;
    println!("{written} messages written to {}", dir.display());
    Ok(())
}

/// A loopback mailbox whose Inbox holds three messages.
fn mailbox() -> Routes {
    use ews_bindings::messages::{
        AnyResponseMessage, FindItemResponse, FindItemResponseMessage, GetItemResponse,
        ItemInfoResponseMessage,
    };
    use ews_bindings::types::{FindItemParent, ItemId, Message, MimeContent, ResponseClass};
    let message = |n: usize| Message {
        item_id: Some(ItemId::new(format!("item-{n}"))),
        mime_content: Some(MimeContent::new(
            format!("Subject: Message {n}\r\n\r\nHello {n}\r\n").into_bytes(),
        )),
        ..Message::default()
    };
    Routes::new()
        .answer::<operation::FindItem>(move |_| {
            let items: Vec<AnyItem> = (1..=3).map(|n| message(n).into()).collect();
            let folder = FindItemParent {
                includes_last_item_in_range: Some(true),
                total_items_in_view: Some(3),
                ..FindItemParent::new(items)
            };
            let page = FindItemResponseMessage {
                root_folder: Some(folder),
                ..FindItemResponseMessage::new(ResponseClass::Success)
            };
            FindItemResponse::new(vec![page.into()])
        })
        .answer::<operation::GetItem>(move |request| {
            let answers = (1..=request.item_ids.len()).map(|n| {
                AnyResponseMessage::GetItemResponseMessage(Box::new(ItemInfoResponseMessage {
                    items: Some(vec![message(n).into()]),
                    ..ItemInfoResponseMessage::new(ResponseClass::Success)
                }))
            });
            GetItemResponse::new(answers.collect::<Vec<_>>())
        })
}
