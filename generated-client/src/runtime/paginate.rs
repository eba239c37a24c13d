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

struct State<F, I> {
    fetch: F,
    next: Option<i64>,
    buffer: VecDeque<I>,
}

/// Streams every item, fetching page `first_page`, then the next, ...; stops after the last
/// page the server reports (page number `total_pages`: pages are numbered from 1, as every
/// vendor documents them) or at an empty page, whatever the first page was. An error is
/// yielded and ends the stream.
pub fn pages<P, C, F, Fut>(
    first_page: i64,
    fetch: F,
) -> impl Stream<Item = Result<P::Item, Error<C>>>
where
    P: Page,
    C: VendorCode,
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<P, Error<C>>>,
{
    let state = State {
        fetch,
        next: Some(first_page),
        buffer: VecDeque::new(),
    };
    stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.buffer.pop_front() {
                return Some((Ok(item), st));
            }
            let page = st.next.take()?;
            match (st.fetch)(page).await {
                Err(e) => return Some((Err(e), st)),
                Ok(p) => {
                    // The page number, not the count of pages fetched: a stream started at
                    // page 3 of 5 ends after page 5.
                    let more = page < p.total_pages();
                    st.buffer.extend(p.into_items());
                    if more && !st.buffer.is_empty() {
                        st.next = page.checked_add(1);
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::test_support::TestCode;
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
}
