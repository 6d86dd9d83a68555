//! Pagination for every resource of this API, which all share the `data`/`meta`/`links`
//! envelope: one [`Page`], and every item as a lazy stream that pages by number.

use std::collections::BTreeMap;
use std::future::Future;

use futures::future;
use futures::stream::{self, FuturesUnordered, Stream, StreamExt, TryStreamExt};

use crate::raw::types::IntegerOrString;
use crate::record::{FromRecord, UnreadableRecord};
use crate::wire::ListEnvelope;
use crate::Error;

/// One page of results.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// This page's number (1-based).
    pub page: u64,
    /// The page size the server used (it replaces sizes it does not allow by 25).
    pub per_page: u64,
    /// The count of all results, when the server sent one (`total` or `total_results`).
    pub total: Option<u64>,
    /// How many pages there are; `0` when there are no results.
    pub total_pages: u64,
    /// Records on this page that could not be read as `T` at all (not an object, no readable
    /// id), kept as the server sent them. Each other record is in `items`, with whatever it
    /// holds that could not be read shown as unknown.
    pub unreadable: Vec<UnreadableRecord>,
}

impl<T> Page<T> {
    /// Whether a page after this one exists.
    pub fn has_next(&self) -> bool {
        self.page < self.total_pages
    }

    /// Builds a page from the envelope's records and `meta`, decoding each record on its own;
    /// `requested_page` and `requested_per_page` stand in where the server's echo is missing
    /// or unreadable.
    pub(crate) fn from_list(
        list: ListEnvelope,
        requested_page: u64,
        requested_per_page: u64,
    ) -> Self
    where
        T: FromRecord,
    {
        let number = |v: &Option<IntegerOrString>| match v {
            Some(IntegerOrString::Int64(n)) => u64::try_from(*n).ok(),
            Some(IntegerOrString::String(s)) => s.trim().parse().ok(),
            None => None,
        };
        let non_negative = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        let meta = &list.meta;
        let mut items = Vec::with_capacity(list.data.len());
        let mut unreadable = Vec::new();
        for raw in list.data {
            match T::from_record(raw) {
                Ok(item) => items.push(item),
                Err(odd) => {
                    tracing::warn!(resource = T::WHAT, "skipped a record: {odd}");
                    unreadable.push(odd);
                }
            }
        }
        Page {
            items,
            page: number(&meta.page).unwrap_or(requested_page),
            per_page: number(&meta.results_per_page).unwrap_or(requested_per_page),
            total: non_negative(meta.total_results.or(meta.total)),
            total_pages: non_negative(Some(meta.total_pages)).unwrap_or(0),
            unreadable,
        }
    }
}

/// Allowed page sizes (`results_per_page`). Servers silently replace any other size by 25,
/// so no other size can be written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PerPage {
    /// 10 per page.
    P10,
    /// 25 per page (the server's default).
    #[default]
    P25,
    /// 50 per page.
    P50,
    /// 100 per page.
    P100,
    /// 250 per page.
    P250,
    /// 500 per page.
    P500,
    /// 1000 per page.
    P1000,
}

impl PerPage {
    /// Every allowed size, smallest first.
    pub const ALL: [PerPage; 7] = [
        PerPage::P10,
        PerPage::P25,
        PerPage::P50,
        PerPage::P100,
        PerPage::P250,
        PerPage::P500,
        PerPage::P1000,
    ];

    /// The number of items.
    pub fn get(self) -> u64 {
        [10, 25, 50, 100, 250, 500, 1000][self as usize]
    }
}

impl TryFrom<u64> for PerPage {
    type Error = Error;

    /// ```
    /// use bitpeak::PerPage;
    /// assert_eq!(PerPage::try_from(50).unwrap(), PerPage::P50);
    /// assert!(PerPage::try_from(30).is_err());
    /// ```
    fn try_from(n: u64) -> Result<Self, Error> {
        let reason = || format!("{n} is not one of 10, 25, 50, 100, 250, 500, 1000");
        let found = PerPage::ALL.into_iter().find(|p| p.get() == n);
        found.ok_or_else(|| Error::invalid("results_per_page", reason()))
    }
}

/// Pages `list_all` keeps in flight unless told otherwise (every resource).
pub const DEFAULT_CONCURRENCY: usize = 4;

/// The most pages `list_all` keeps in flight, whatever it is asked (more would only spend the
/// rate-limit budget faster).
pub const MAX_CONCURRENCY: usize = 32;

/// The most pages one `list_all` fetches (10^8 records at 1000 a page): a server that keeps
/// claiming more pages of new records is not followed further.
pub const MAX_PAGES: u64 = 100_000;

/// The ids `list_all` has yielded, as runs of consecutive ids (first → last): ids come in
/// runs (pages in order, few gaps), so a listing of 100 000 records holds a few runs instead
/// of 100 000 ids.
#[derive(Default)]
struct IdSet {
    runs: BTreeMap<u64, u64>,
    len: usize,
}

impl IdSet {
    /// Adds `id`; whether it was not there yet.
    fn insert(&mut self, id: u64) -> bool {
        let before = self.runs.range(..=id).next_back().map(|(f, l)| (*f, *l));
        if before.is_some_and(|(_, last)| id <= last) {
            return false;
        }
        let after = id.checked_add(1).and_then(|next| self.runs.remove(&next));
        let first = match before {
            Some((first, last)) if last + 1 == id => first,
            _ => id,
        };
        self.runs.insert(first, after.unwrap_or(id));
        self.len += 1;
        true
    }
}

#[cfg(test)]
#[test]
fn id_set_is_a_set() {
    let mut ids = IdSet::default();
    let mut plain = std::collections::HashSet::new();
    let mut x = 7u64;
    for i in 0..20_000u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let id = match i % 4 {
            0 => x,
            1 => u64::MAX - x % 8,
            _ => x % 3000,
        };
        assert_eq!(ids.insert(id), plain.insert(id), "{id}");
        assert_eq!(ids.len, plain.len());
    }
}

/// Every item from `first_page` on, as a lazy stream: the behaviour documented on
/// [`crate::resources::Resources::list_all`]. A page that arrives before the one due is held
/// (at most `concurrency` beside those in flight), so one slow page does not stop the others;
/// a record that cannot be read at all is skipped with a `warn` event; an error ends the
/// stream in its page's turn.
pub(crate) fn paginate<T, F, Fut>(
    first_page: u64,
    concurrency: usize,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>>
where
    T: FromRecord,
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    struct State<T, F, Fut: Future> {
        fetch: F,
        /// Each fetch with its page number.
        in_flight: FuturesUnordered<future::Join<future::Ready<u64>, Fut>>,
        /// Pages that arrived before their turn, by number.
        held: BTreeMap<u64, Result<Page<T>, Error>>,
        /// The next page number to request, `None` past the last number there is.
        next: Option<u64>,
        /// The page whose items are due next.
        due: u64,
        /// The last page number worth requesting, as the latest page said.
        last: u64,
        /// Pages requested so far.
        requested: u64,
        seen: IdSet,
    }
    let state = State {
        fetch,
        in_flight: FuturesUnordered::new(),
        held: BTreeMap::new(),
        next: Some(first_page),
        due: first_page,
        last: first_page,
        requested: 0,
        seen: IdSet::default(),
    };
    let limit = concurrency.clamp(1, MAX_CONCURRENCY);
    stream::try_unfold(state, move |mut st| async move {
        let page = loop {
            while st.in_flight.len() < limit && st.held.len() < limit && st.requested < MAX_PAGES {
                let Some(number) = st.next.filter(|n| *n <= st.last) else {
                    break;
                };
                let fetch = (st.fetch)(number);
                st.in_flight
                    .push(future::join(future::ready(number), fetch));
                st.requested += 1;
                st.next = number.checked_add(1);
            }
            if let Some(page) = st.held.remove(&st.due) {
                break page;
            }
            match st.in_flight.next().await {
                Some((number, page)) => {
                    st.held.insert(number, page);
                }
                None => {
                    if st.requested >= MAX_PAGES && st.next.is_some_and(|n| n <= st.last) {
                        tracing::warn!(
                            pages = MAX_PAGES,
                            "stopped listing after the most pages one listing fetches"
                        );
                    }
                    return Ok(None);
                }
            }
        };
        st.due = st.due.saturating_add(1);
        // An error ends the stream (`try_unfold` stops after it).
        let page = page?;
        st.last = page.total_pages.max(first_page);
        let records = page.items.len() + page.unreadable.len();
        let before = st.seen.len;
        let items: Vec<T> = page
            .items
            .into_iter()
            .filter(|item| st.seen.insert(item.id()))
            .collect();
        let more_claimed = page.page < page.total_pages;
        let why = if !more_claimed {
            None
        } else if records == 0 {
            Some("came back empty")
        } else if (records as u64) < page.per_page {
            Some("came back short")
        } else if st.seen.len == before {
            Some("brought no record not seen before")
        } else {
            None
        };
        if let Some(why) = why {
            tracing::warn!(
                page = page.page,
                total_pages = page.total_pages,
                "stopped listing: page {} of a claimed {} {why}",
                page.page,
                page.total_pages
            );
            st.in_flight = FuturesUnordered::new();
            st.held.clear();
            st.next = None;
        }
        Ok(Some((stream::iter(items.into_iter().map(Ok)), st)))
    })
    .try_flatten()
}
