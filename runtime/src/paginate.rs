//! Page-number pagination as a stream of items.

use std::collections::VecDeque;

use futures_core::Stream;
use futures_util::stream;

use super::error::{Error, VendorCode};

/// One page of a paginated response (implemented by generated response types).
pub trait Page {
    /// The element type.
    type Item;
    /// This page's items.
    fn into_items(self) -> Vec<Self::Item>;
    /// How many pages there are in total, as the vendor reports it.
    fn total_pages(&self) -> i64;
}

/// The highest page number a page stream fetches unless the client is configured otherwise
/// ([`ClientBuilder::max_page`](crate::ClientBuilder::max_page)): far beyond any listing the
/// documents describe, yet a bound on a server that reports `total_pages` of `i64::MAX`.
pub const DEFAULT_MAX_PAGE: i64 = 10_000;

/// Why a page stream was stopped before the server's last page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationStop {
    /// The page had exactly the items of the page before: the server ignores the page number
    /// (or repeats itself), and following it would never end.
    RepeatedPage,
    /// The next page number is beyond the configured cap.
    PastMaxPage {
        /// The cap.
        max_page: i64,
    },
}

impl std::fmt::Display for PaginationStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaginationStop::RepeatedPage => f.write_str("the server repeated the previous page"),
            PaginationStop::PastMaxPage { max_page } => {
                write!(
                    f,
                    "the server reports more pages than the cap of {max_page}"
                )
            }
        }
    }
}

struct State<F, I> {
    fetch: F,
    next: Option<i64>,
    buffer: VecDeque<I>,
    previous: Option<Vec<I>>,
    max_page: i64,
}

/// [`pages_with_max`] with [`DEFAULT_MAX_PAGE`].
pub fn pages<P, C, F, Fut>(
    first_page: i64,
    fetch: F,
) -> impl Stream<Item = Result<P::Item, Error<C>>>
where
    P: Page,
    P::Item: Clone + PartialEq,
    C: VendorCode,
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<P, Error<C>>>,
{
    pages_with_max(first_page, DEFAULT_MAX_PAGE, fetch)
}

/// Streams every item, fetching page `first_page`, then the next, ...; stops after the last
/// page the server reports (page number `total_pages`: pages are numbered from 1, as every
/// vendor documents them) or at an empty page, whatever the first page was. An error is
/// yielded and ends the stream; so is [`Error::Pagination`] when a page repeats the previous
/// one, or when the server reports pages beyond `max_page` (nothing past it is fetched).
pub fn pages_with_max<P, C, F, Fut>(
    first_page: i64,
    max_page: i64,
    fetch: F,
) -> impl Stream<Item = Result<P::Item, Error<C>>>
where
    P: Page,
    P::Item: Clone + PartialEq,
    C: VendorCode,
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<P, Error<C>>>,
{
    let state = State {
        fetch,
        next: Some(first_page),
        buffer: VecDeque::new(),
        previous: None,
        max_page,
    };
    stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.buffer.pop_front() {
                return Some((Ok(item), st));
            }
            let page = st.next.take()?;
            if page > st.max_page {
                let stop = PaginationStop::PastMaxPage {
                    max_page: st.max_page,
                };
                return Some((Err(Error::Pagination { page, stop }), st));
            }
            match (st.fetch)(page).await {
                Err(e) => return Some((Err(e), st)),
                Ok(p) => {
                    // The page number, not the count of pages fetched: a stream started at
                    // page 3 of 5 ends after page 5.
                    let more = page < p.total_pages();
                    let items = p.into_items();
                    if !items.is_empty() && st.previous.as_ref() == Some(&items) {
                        let stop = PaginationStop::RepeatedPage;
                        return Some((Err(Error::Pagination { page, stop }), st));
                    }
                    if more && !items.is_empty() {
                        st.next = page.checked_add(1);
                        st.previous = Some(items.clone());
                    }
                    st.buffer.extend(items);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::TestCode;
    use futures_util::StreamExt;

    struct TestPage(Vec<i64>, i64);

    impl Page for TestPage {
        type Item = i64;
        fn into_items(self) -> Vec<i64> {
            self.0
        }
        fn total_pages(&self) -> i64 {
            self.1
        }
    }

    /// Pages of `per_page` items; `total` as reported; `empty_from`/`fail_at` page numbers.
    async fn run(
        first: i64,
        total: i64,
        empty_from: i64,
        fail_at: i64,
    ) -> (Vec<Result<i64, String>>, Vec<i64>) {
        let mut requested = Vec::new();
        let s = pages::<TestPage, TestCode, _, _>(first, |p| {
            requested.push(p);
            async move {
                if p == fail_at {
                    return Err(Error::Config(format!("page {p}")));
                }
                let items = if p >= empty_from {
                    vec![]
                } else {
                    vec![p * 10, p * 10 + 1]
                };
                Ok(TestPage(items, total))
            }
        });
        let mut s = Box::pin(s);
        let mut out = Vec::new();
        while let Some(item) = s.next().await {
            out.push(item.map_err(|e| e.to_string()));
        }
        drop(s);
        (out, requested)
    }

    #[tokio::test]
    async fn pagination_cases() {
        let (items, req) = run(1, 3, 99, 99).await;
        assert_eq!(items, [10, 11, 20, 21, 30, 31].map(Ok));
        assert_eq!(req, [1, 2, 3]);

        // Started part-way: stops at the last page the server reports.
        let (items, req) = run(3, 5, 99, 99).await;
        assert_eq!(items, [30, 31, 40, 41, 50, 51].map(Ok));
        assert_eq!(req, [3, 4, 5]);

        // Started past the end: the one page asked for, nothing more.
        let (_, req) = run(7, 5, 99, 99).await;
        assert_eq!(req, [7]);

        // An empty page ends the stream even if total_pages says otherwise.
        let (items, req) = run(1, 100, 3, 99).await;
        assert_eq!(items.len(), 4);
        assert_eq!(req, [1, 2, 3]);

        // An error is yielded, then the stream ends.
        let (items, req) = run(1, 5, 99, 2).await;
        assert_eq!(
            items,
            vec![Ok(10), Ok(11), Err("configuration error: page 2".into())]
        );
        assert_eq!(req, [1, 2]);

        // total_pages of 0 or negative: just the first page.
        let (items, _) = run(1, 0, 99, 99).await;
        assert_eq!(items.len(), 2);
    }

    /// A server reporting `i64::MAX` pages: the stream ends at the cap with a typed error,
    /// having fetched nothing past it.
    #[tokio::test]
    async fn the_page_cap_ends_an_endless_listing() {
        let mut requested = Vec::new();
        let s = pages_with_max::<TestPage, TestCode, _, _>(1, 3, |p| {
            requested.push(p);
            async move { Ok(TestPage(vec![p], i64::MAX)) }
        });
        let out: Vec<_> = s.collect().await;
        assert_eq!(requested, [1, 2, 3]);
        assert_eq!(out.len(), 4);
        assert!(matches!(
            out.last(),
            Some(Err(Error::Pagination {
                page: 4,
                stop: PaginationStop::PastMaxPage { max_page: 3 }
            }))
        ));
    }
}
