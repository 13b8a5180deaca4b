//! Cursor paging, as Graph lists answer: `{"data": [...], "paging": {"cursors": {"before",
//! "after"}, "next": "..."}}`.
//!
//! A [`List`] follows the pages for you, as a [`Stream`](futures_util::Stream) of items ([`List::stream`]), of pages
//! ([`List::pages`]), or all at once (`.await`); or reads one page on request
//! ([`List::page`], continuing from [`Page::after`] with [`List::after`]).
//!
//! The next page is requested with the `after` cursor on the list's own URL, never by fetching
//! the `next` URL Meta sent: the access token only ever goes to the configured host. A page
//! without `next` is the last; a cursor that comes back twice is reported, not looped on.

use std::collections::HashSet;
use std::future::IntoFuture;
use std::marker::PhantomData;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use super::manage::manage_call;
use super::CallFuture;
use crate::client::Client;
use crate::error::{DeadlineExceeded, DecodeError, Error, Result, SentState, ValidationError};
use crate::layers::facts::Management;
use crate::time::Instant;

/// The largest page size Graph accepts on these edges (it answers fewer when it likes).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// `paging.cursors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cursors {
    /// The cursor before the first item of the page.
    #[serde(default)]
    pub before: Option<String>,
    /// The cursor after the last item of the page.
    #[serde(default)]
    pub after: Option<String>,
}

/// `paging`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Paging {
    /// The page's cursors.
    #[serde(default)]
    pub cursors: Option<Cursors>,
    /// The URL of the next page; absent on the last page.
    #[serde(default)]
    pub next: Option<String>,
    /// The URL of the previous page.
    #[serde(default)]
    pub previous: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Where the list goes on.
    #[serde(default)]
    pub paging: Option<Paging>,
}

impl<T> Page<T> {
    /// The cursor that continues the list (`paging.cursors.after`, or the `after` of the
    /// `next` link), or `None` when this is the last page (Meta sends no `next` link on it,
    /// even when it still sends an `after` cursor).
    pub fn after(&self) -> Option<String> {
        let paging = self.paging.as_ref()?;
        let next = paging.next.as_deref()?;
        if let Some(after) = paging.cursors.as_ref().and_then(|c| c.after.as_deref()) {
            return Some(after.to_owned());
        }
        // Some answers carry the cursor only inside the `next` link.
        let next = Url::parse(next).ok()?;
        let after = next
            .query_pairs()
            .find(|(key, _)| key == "after")
            .map(|(_, value)| value.into_owned());
        after
    }

    /// Whether another page follows.
    pub fn has_next(&self) -> bool {
        self.paging
            .as_ref()
            .is_some_and(|paging| paging.next.is_some())
    }
}

/// A list call that follows Meta's cursors. Await it for every item of every page, or take a
/// [`stream`](List::stream) to handle items as pages arrive.
///
/// ```no_run
/// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
/// use futures_util::TryStreamExt;
/// let mut templates = client.business_account().templates().list().limit(50).stream();
/// while let Some(template) = templates.try_next().await? {
///     println!("{} {}", template.name, template.status);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a list does nothing until it is awaited or streamed"]
pub struct List<T> {
    client: Client,
    url: Result<Url>,
    management: Management,
    on_number: Option<String>,
    limit: Option<u32>,
    after: Option<String>,
    deadline: Option<Duration>,
    item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for List<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("List")
            .field("operation", &self.management.name())
            .field("limit", &self.limit)
            .field("after", &self.after)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> List<T> {
    /// A list at `url` (an error there is reported when the list runs).
    pub(crate) fn new(
        client: Client,
        url: Result<Url>,
        management: Management,
        on_number: Option<String>,
    ) -> Self {
        List {
            client,
            url,
            management,
            on_number,
            limit: None,
            after: None,
            deadline: None,
            item: PhantomData,
        }
    }

    /// Adds a query parameter (a filter).
    pub(crate) fn query(mut self, key: &str, value: &str) -> Self {
        if let Ok(url) = &mut self.url {
            url.query_pairs_mut().append_pair(key, value);
        }
        self
    }

    /// Records a filter that cannot be used, so that the list fails before sending.
    pub(crate) fn fail(mut self, error: ValidationError) -> Self {
        if self.url.is_ok() {
            self.url = Err(error.into());
        }
        self
    }

    /// Items per page (`limit`), 1 to [`MAX_PAGE_SIZE`]; Meta's default otherwise.
    pub fn limit(mut self, limit: u32) -> Self {
        if limit == 0 || limit > MAX_PAGE_SIZE {
            return self.fail(ValidationError::new(
                "limit",
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        self.limit = Some(limit);
        self
    }

    /// Starts after this cursor (the [`Page::after`] of a page read earlier).
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Gives up after this long, for the whole list (every page).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Reads one page (from the start, or after [`List::after`]).
    pub async fn page(self) -> Result<Page<T>> {
        let mut pager = self.into_pager()?;
        let after = pager.start.take();
        pager.fetch(after).await
    }

    /// Every page, in order, each fetched when the previous one has been taken.
    pub fn pages(self) -> BoxStream<'static, Result<Page<T>>> {
        let pager = self.into_pager();
        stream::try_unfold(
            (pager, false),
            |(pager, done): (Result<Pager<T>>, bool)| async move {
                if done {
                    return Ok(None);
                }
                let mut pager = pager?;
                let after = pager.start.take();
                let page = pager.fetch(after).await?;
                let next = page.after();
                let done = match next {
                    None if page.has_next() => {
                        return Err(pager.paging_error("a page has a next link but no after cursor"))
                    }
                    None => true,
                    Some(cursor) => {
                        if !pager.seen.insert(cursor.clone()) {
                            return Err(pager.paging_error("the list repeated a cursor"));
                        }
                        pager.start = Some(cursor);
                        false
                    }
                };
                Ok(Some((page, (Ok(pager), done))))
            },
        )
        .boxed()
    }

    /// Every item of every page, in order.
    pub fn stream(self) -> BoxStream<'static, Result<T>> {
        self.pages()
            .map_ok(|page| stream::iter(page.data.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    fn into_pager(self) -> Result<Pager<T>> {
        let url = self.url?;
        let end = self.deadline.and_then(|deadline| {
            Some((deadline, self.client.clock().now().checked_add(deadline)?))
        });
        let mut seen = HashSet::new();
        if let Some(after) = &self.after {
            seen.insert(after.clone());
        }
        Ok(Pager {
            client: self.client,
            url,
            management: self.management,
            on_number: self.on_number,
            limit: self.limit,
            start: self.after,
            end,
            seen,
            item: PhantomData,
        })
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for List<T> {
    type Output = Result<Vec<T>>;
    type IntoFuture = CallFuture<Vec<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.stream().try_collect())
    }
}

/// A running list: where it is and what it has seen.
struct Pager<T> {
    client: Client,
    url: Url,
    management: Management,
    on_number: Option<String>,
    limit: Option<u32>,
    start: Option<String>,
    end: Option<(Duration, Instant)>,
    seen: HashSet<String>,
    item: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Pager<T> {
    async fn fetch(&self, after: Option<String>) -> Result<Page<T>> {
        let mut url = self.url.clone();
        {
            let mut query = url.query_pairs_mut();
            if let Some(limit) = self.limit {
                query.append_pair("limit", &limit.to_string());
            }
            if let Some(after) = &after {
                query.append_pair("after", after);
            }
        }
        let mut call = manage_call(
            &self.client,
            Method::GET,
            url,
            self.management,
            self.on_number.as_deref(),
        );
        if let Some((deadline, end)) = self.end {
            let left = end.saturating_duration_since(self.client.clock().now());
            if left.is_zero() {
                return Err(Error::DeadlineExceeded(Box::new(DeadlineExceeded {
                    deadline,
                    stage: "listing pages".to_owned(),
                    sent: SentState::NotSent,
                })));
            }
            call.deadline = Some(left);
        }
        let answer = self.client.execute(call).await?;
        crate::client::decode_json(&answer)
    }

    fn paging_error(&self, problem: &str) -> Error {
        Error::Decode(Box::new(DecodeError::new(
            200,
            Some("application/json".to_owned()),
            b"",
            format!("{}: {problem}", self.management.name()),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_page_has_no_next_even_with_a_cursor() {
        let last: Page<u32> = serde_json::from_str(
            r#"{"data":[1,2],"paging":{"cursors":{"before":"QVFI","after":"QVFJ"}}}"#,
        )
        .unwrap();
        assert_eq!(last.after(), None);
        assert!(!last.has_next());
        let more: Page<u32> = serde_json::from_str(
            r#"{"data":[1],"paging":{"cursors":{"after":"QVFJ"},"next":"https://x/y?after=QVFJ"}}"#,
        )
        .unwrap();
        assert_eq!(more.after().as_deref(), Some("QVFJ"));
        let link_only: Page<u32> = serde_json::from_str(
            r#"{"data":[1],"paging":{"next":"https://x/y?limit=2&after=TkVY"}}"#,
        )
        .unwrap();
        assert_eq!(link_only.after().as_deref(), Some("TkVY"));
        let bare: Page<u32> = serde_json::from_str(r#"{}"#).unwrap();
        assert!(bare.data.is_empty() && bare.after().is_none());
    }
}
