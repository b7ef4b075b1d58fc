//! Results that come a page at a time: how each paged operation says where a page starts
//! and where the next one does. [`Client::pages`](crate::Client::pages) sends such an
//! operation again and again, each time from where the last answer left off, until the
//! server says the last item is in range, and yields the pages as a stream.
//!
//! Five operations page, when the schema has them (with the `all-operations` feature and
//! the whole schema):
//!
//! | Operation | Position | Page size sets | Last page when |
//! |---|---|---|---|
//! | FindItem | `IndexedPageItemView` `Offset` ← `IndexedPagingOffset` | `MaxEntriesReturned` | `IncludesLastItemInRange` |
//! | FindFolder | `IndexedPageFolderView` `Offset` ← `IndexedPagingOffset` | `MaxEntriesReturned` | `IncludesLastItemInRange` |
//! | FindPeople | `IndexedPageItemView` `Offset` ← `FirstLoadedRowIndex` + people returned | `MaxEntriesReturned` | the view's total is reached, or no people come |
//! | SyncFolderItems | `SyncState` | `MaxChangesReturned` (1 to 512) | `IncludesLastItemInRange` |
//! | SyncFolderHierarchy | `SyncState` | (the server's choice) | `IncludesLastFolderInRange` |
//!
//! Each page is the operation's response message, whole: for a sync, the last page's
//! `sync_state` is where the next sync starts. A response without the "last" flag is taken
//! as the last page. The stream fails with [`Error::Paging`](crate::Error::Paging) instead
//! of looping when the position stops moving (an offset that does not grow, a sync state
//! sent back unchanged), and ends after the first error: a failed call, or a response
//! message of class `Error` ([`Error::Ews`](crate::Error::Ews)).

use std::fmt;

use crate::operation::{EwsError, Operation};
use crate::xml::Text;

/// An operation whose results come a page at a time.
pub trait Paged: Operation {
    /// What one page is: the operation's response message.
    type Page;

    /// Where `request` starts: its offset or sync state. Fails when the request cannot be
    /// paged (another kind of view, several folders at once).
    fn start(request: &Self::Request) -> Result<Position, PagingError>;

    /// Points `request` at `at`, asking for at most `page_size` entries.
    fn seek(request: &mut Self::Request, at: &Position, page_size: u32);

    /// The page of `output`, and where the next one starts (`None` after the last page).
    fn page(
        output: Self::Output,
        at: &Position,
    ) -> Result<(Self::Page, Option<Position>), PagingError>;
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// An indexed view's offset.
    Offset(i32),
    /// A sync state (none for a first sync).
    SyncState(Option<Text>),
}

impl Position {
    /// Whether `self`, the next position, moves on from `before`.
    fn moves_on_from(&self, before: &Position) -> bool {
        match (self, before) {
            (Position::Offset(next), Position::Offset(before)) => next > before,
            (Position::SyncState(Some(next)), Position::SyncState(before)) => {
                before.as_ref() != Some(next)
            }
            _ => false,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Offset(offset) => write!(f, "offset {offset}"),
            Position::SyncState(Some(state)) => write!(f, "a sync state of {} bytes", state.len()),
            Position::SyncState(None) => f.write_str("no sync state"),
        }
    }
}

/// Why paging cannot go on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PagingError {
    /// The server answered a page that does not move on: the same or a smaller offset, or
    /// the sync state it was sent. Asking again would loop.
    #[error("{operation} paging stopped moving: after {at} the server answered {next}; stopped rather than ask for the same page again")]
    Stuck {
        /// The operation.
        operation: &'static str,
        /// The position asked for.
        at: Position,
        /// The position the server answered.
        next: Position,
    },
    /// A page that is not the last one does not say where the next one starts.
    #[error("{operation} paging cannot go on: the server's answer is not the last page but has no {missing}")]
    NoPosition {
        /// The operation.
        operation: &'static str,
        /// The element or attribute that is missing.
        missing: &'static str,
    },
    /// The request cannot be paged as it is.
    #[error("{operation} cannot be paged as requested: {reason}")]
    Request {
        /// The operation.
        operation: &'static str,
        /// What to change.
        reason: String,
    },
    /// The answer holds no response message.
    #[error("{operation} paging cannot go on: the server's answer holds no response message")]
    NoMessage {
        /// The operation.
        operation: &'static str,
    },
    /// The page's response message has ResponseClass `Error` (the client reports it as
    /// [`Error::Ews`](crate::Error::Ews)).
    #[error("{0}")]
    Ews(Box<EwsError>),
}

/// The page of `output` (the answer to a request for the page at `at`) and where the next
/// one starts, or why paging cannot go on: the position stopped moving.
pub fn advance<O: Paged>(
    output: O::Output,
    at: &Position,
) -> Result<(O::Page, Option<Position>), PagingError> {
    let (page, next) = O::page(output, at)?;
    if let Some(next) = &next {
        if !next.moves_on_from(at) {
            return Err(PagingError::Stuck {
                operation: O::NAME,
                at: at.clone(),
                next: next.clone(),
            });
        }
    }
    Ok((page, next))
}

#[cfg(all(
    ews_operation = "FindItem",
    ews_operation = "FindFolder",
    ews_operation = "FindPeople",
    ews_operation = "SyncFolderItems",
    ews_operation = "SyncFolderHierarchy"
))]
mod operations {
    //! The paged operations, when the schema has them.

    use super::{Paged, PagingError, Position};
    use crate::operation::{self, ItemResults, Operation};
    use crate::{messages, types};

    /// The one message of an answer to a request for one folder, or its error.
    fn only<T>(operation: &'static str, results: ItemResults<T>) -> Result<T, PagingError> {
        let messages = results
            .into_result()
            .map_err(|e| PagingError::Ews(Box::new(e)))?;
        messages
            .into_iter()
            .next()
            .ok_or(PagingError::NoMessage { operation })
    }

    /// An offset view of `page_size` entries at `at`, keeping the request's base point.
    fn view(
        old: Option<&types::IndexedPageView>,
        at: &Position,
        page_size: u32,
    ) -> types::IndexedPageView {
        let offset = match at {
            Position::Offset(offset) => *offset,
            Position::SyncState(_) => 0,
        };
        types::IndexedPageView {
            max_entries_returned: Some(i32::try_from(page_size).unwrap_or(i32::MAX)),
            offset,
            base_point: old.map_or(types::IndexBasePoint::Beginning, |v| v.base_point.clone()),
        }
    }

    /// The next offset after a page that says whether it is the last and where the next
    /// one starts.
    fn next_offset(
        operation: &'static str,
        last: Option<bool>,
        next: Option<i32>,
    ) -> Result<Option<Position>, PagingError> {
        if last != Some(false) {
            return Ok(None);
        }
        match next {
            Some(next) => Ok(Some(Position::Offset(next))),
            None => Err(PagingError::NoPosition {
                operation,
                missing: "IndexedPagingOffset",
            }),
        }
    }

    /// The next sync state after a page.
    fn next_state(
        operation: &'static str,
        last: Option<bool>,
        state: Option<&crate::xml::Text>,
    ) -> Result<Option<Position>, PagingError> {
        if last != Some(false) {
            return Ok(None);
        }
        match state {
            Some(state) => Ok(Some(Position::SyncState(Some(state.clone())))),
            None => Err(PagingError::NoPosition {
                operation,
                missing: "SyncState",
            }),
        }
    }

    fn one_folder(operation: &'static str, folders: usize) -> Result<(), PagingError> {
        if folders == 1 {
            return Ok(());
        }
        Err(PagingError::Request {
            operation,
            reason: format!(
                "it names {folders} parent folders; page one folder at a time, each with its own stream"
            ),
        })
    }

    fn other_view(operation: &'static str, view: &str) -> PagingError {
        PagingError::Request {
            operation,
            reason: format!("it has a {view}; pages are asked for with an indexed view, so leave the view out or make it indexed"),
        }
    }

    impl Paged for operation::FindItem {
        type Page = messages::FindItemResponseMessage;

        fn start(request: &messages::FindItem) -> Result<Position, PagingError> {
            one_folder(Self::NAME, request.parent_folder_ids.len())?;
            match &request.paging {
                None => Ok(Position::Offset(0)),
                Some(messages::AnyPaging::IndexedPageItemView(v)) => Ok(Position::Offset(v.offset)),
                Some(messages::AnyPaging::FractionalPageItemView(_)) => {
                    Err(other_view(Self::NAME, "FractionalPageItemView"))
                }
                Some(messages::AnyPaging::SeekToConditionPageItemView(_)) => {
                    Err(other_view(Self::NAME, "SeekToConditionPageItemView"))
                }
                Some(messages::AnyPaging::CalendarView(_)) => {
                    Err(other_view(Self::NAME, "CalendarView"))
                }
                Some(messages::AnyPaging::ContactsView(_)) => {
                    Err(other_view(Self::NAME, "ContactsView"))
                }
            }
        }

        fn seek(request: &mut messages::FindItem, at: &Position, page_size: u32) {
            let old = match &request.paging {
                Some(messages::AnyPaging::IndexedPageItemView(v)) => Some(v),
                _ => None,
            };
            let view = view(old, at, page_size);
            request.paging = Some(messages::AnyPaging::IndexedPageItemView(view));
        }

        fn page(
            output: ItemResults<Self::Page>,
            _at: &Position,
        ) -> Result<(Self::Page, Option<Position>), PagingError> {
            let message = only(Self::NAME, output)?;
            let (last, next) = message.root_folder.as_ref().map_or((None, None), |f| {
                (f.includes_last_item_in_range, f.indexed_paging_offset)
            });
            let next = next_offset(Self::NAME, last, next)?;
            Ok((message, next))
        }
    }

    impl Paged for operation::FindFolder {
        type Page = messages::FindFolderResponseMessage;

        fn start(request: &messages::FindFolder) -> Result<Position, PagingError> {
            one_folder(Self::NAME, request.parent_folder_ids.len())?;
            match &request.paging {
                None => Ok(Position::Offset(0)),
                Some(messages::FindFolderPaging::IndexedPageFolderView(v)) => {
                    Ok(Position::Offset(v.offset))
                }
                Some(messages::FindFolderPaging::FractionalPageFolderView(_)) => {
                    Err(other_view(Self::NAME, "FractionalPageFolderView"))
                }
            }
        }

        fn seek(request: &mut messages::FindFolder, at: &Position, page_size: u32) {
            let old = match &request.paging {
                Some(messages::FindFolderPaging::IndexedPageFolderView(v)) => Some(v),
                _ => None,
            };
            let view = view(old, at, page_size);
            request.paging = Some(messages::FindFolderPaging::IndexedPageFolderView(view));
        }

        fn page(
            output: ItemResults<Self::Page>,
            _at: &Position,
        ) -> Result<(Self::Page, Option<Position>), PagingError> {
            let message = only(Self::NAME, output)?;
            let (last, next) = message.root_folder.as_ref().map_or((None, None), |f| {
                (f.includes_last_item_in_range, f.indexed_paging_offset)
            });
            let next = next_offset(Self::NAME, last, next)?;
            Ok((message, next))
        }
    }

    impl Paged for operation::FindPeople {
        type Page = messages::FindPeopleResponseMessage;

        fn start(request: &messages::FindPeople) -> Result<Position, PagingError> {
            Ok(Position::Offset(request.indexed_page_item_view.offset))
        }

        fn seek(request: &mut messages::FindPeople, at: &Position, page_size: u32) {
            request.indexed_page_item_view =
                view(Some(&request.indexed_page_item_view), at, page_size);
        }

        fn page(
            message: Self::Page,
            at: &Position,
        ) -> Result<(Self::Page, Option<Position>), PagingError> {
            let returned = message.people.as_ref().map_or(0, Vec::len);
            let returned = i32::try_from(returned).unwrap_or(i32::MAX);
            let first = match (message.first_loaded_row_index, at) {
                (Some(first), _) => first,
                (None, Position::Offset(offset)) => *offset,
                (None, Position::SyncState(_)) => 0,
            };
            let next = first.saturating_add(returned);
            let done = returned == 0
                || message
                    .total_number_of_people_in_view
                    .is_some_and(|total| next >= total);
            Ok((message, (!done).then_some(Position::Offset(next))))
        }
    }

    impl Paged for operation::SyncFolderItems {
        type Page = messages::SyncFolderItemsResponseMessage;

        fn start(request: &messages::SyncFolderItems) -> Result<Position, PagingError> {
            Ok(Position::SyncState(request.sync_state.clone()))
        }

        fn seek(request: &mut messages::SyncFolderItems, at: &Position, page_size: u32) {
            if let Position::SyncState(state) = at {
                request.sync_state = state.clone();
            }
            request.max_changes_returned = i32::try_from(page_size).unwrap_or(i32::MAX);
        }

        fn page(
            output: ItemResults<Self::Page>,
            _at: &Position,
        ) -> Result<(Self::Page, Option<Position>), PagingError> {
            let message = only(Self::NAME, output)?;
            let next = next_state(
                Self::NAME,
                message.includes_last_item_in_range,
                message.sync_state.as_ref(),
            )?;
            Ok((message, next))
        }
    }

    impl Paged for operation::SyncFolderHierarchy {
        type Page = messages::SyncFolderHierarchyResponseMessage;

        fn start(request: &messages::SyncFolderHierarchy) -> Result<Position, PagingError> {
            Ok(Position::SyncState(request.sync_state.clone()))
        }

        fn seek(request: &mut messages::SyncFolderHierarchy, at: &Position, _page_size: u32) {
            if let Position::SyncState(state) = at {
                request.sync_state = state.clone();
            }
        }

        fn page(
            output: ItemResults<Self::Page>,
            _at: &Position,
        ) -> Result<(Self::Page, Option<Position>), PagingError> {
            let message = only(Self::NAME, output)?;
            let next = next_state(
                Self::NAME,
                message.includes_last_folder_in_range,
                message.sync_state.as_ref(),
            )?;
            Ok((message, next))
        }
    }
}
