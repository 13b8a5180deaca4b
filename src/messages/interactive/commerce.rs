//! Commerce messages: the whole catalog (`catalog_message`), one product (`product`) and a
//! list of products in sections (`product_list`). Products are named by their retailer id
//! (the SKU, "Content ID" in the Commerce Manager) in a catalog connected to the account.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::list::section_title;
use crate::error::ValidationError;
use crate::messages::check;

/// The most sections in a product list.
pub const MAX_PRODUCT_SECTIONS: usize = 10;
/// The most products in a product list, all sections together.
pub const MAX_PRODUCT_ITEMS: usize = 30;

/// A section of a product list: an optional title (required when there are several, at most
/// 24 characters) and the retailer ids of its products.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ProductSection {
    title: Option<String>,
    product_retailer_ids: Vec<String>,
}

impl ProductSection {
    /// An untitled section holding these products.
    pub fn new<I>(product_retailer_ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        ProductSection {
            title: None,
            product_retailer_ids: product_retailer_ids.into_iter().map(Into::into).collect(),
        }
    }

    /// Sets the section's title (at most 24 characters).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds a product.
    pub fn product(mut self, product_retailer_id: impl Into<String>) -> Self {
        self.product_retailer_ids.push(product_retailer_id.into());
        self
    }

    /// The section's products, by retailer id.
    pub fn product_retailer_ids(&self) -> &[String] {
        &self.product_retailer_ids
    }

    /// The products of a template's MPM button: the same JSON as in a product list.
    pub(crate) fn validate_at(&self, path: &str, sections: usize) -> Result<(), ValidationError> {
        section_title(path, self.title.as_deref(), sections)?;
        if self.product_retailer_ids.is_empty() {
            return Err(ValidationError::new(
                format!("{path}.product_items"),
                "must hold at least one product",
            ));
        }
        for (i, id) in self.product_retailer_ids.iter().enumerate() {
            check::required(
                &format!("{path}.product_items[{i}].product_retailer_id"),
                id,
            )?;
        }
        Ok(())
    }
}

impl Serialize for ProductSection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Item<'a> {
            product_retailer_id: &'a str,
        }
        let items: Vec<Item<'_>> = self
            .product_retailer_ids
            .iter()
            .map(|id| Item {
                product_retailer_id: id,
            })
            .collect();
        let mut map = serializer.serialize_map(None)?;
        if let Some(title) = &self.title {
            map.serialize_entry("title", title)?;
        }
        map.serialize_entry("product_items", &items)?;
        map.end()
    }
}

/// Checks the sections of a product list or an MPM template button at `path`: 1 to 10
/// sections, at most 30 products in all.
pub(crate) fn validate_sections(
    path: &str,
    sections: &[ProductSection],
) -> Result<(), ValidationError> {
    if sections.is_empty() || sections.len() > MAX_PRODUCT_SECTIONS {
        return Err(ValidationError::new(
            path,
            format!(
                "holds {} sections; Meta allows 1 to {MAX_PRODUCT_SECTIONS}",
                sections.len()
            ),
        ));
    }
    let total: usize = sections
        .iter()
        .map(|section| section.product_retailer_ids.len())
        .sum();
    if total > MAX_PRODUCT_ITEMS {
        return Err(ValidationError::new(
            path,
            format!("hold {total} products in all; Meta allows at most {MAX_PRODUCT_ITEMS}"),
        ));
    }
    for (i, section) in sections.iter().enumerate() {
        section.validate_at(&format!("{path}[{i}]"), sections.len())?;
    }
    Ok(())
}

pub(super) fn validate_catalog(thumbnail: Option<&str>) -> Result<(), ValidationError> {
    match thumbnail {
        Some(id) => check::required(
            "interactive.action.parameters.thumbnail_product_retailer_id",
            id,
        ),
        None => Ok(()),
    }
}

pub(super) fn validate_product(
    catalog_id: &str,
    product_retailer_id: &str,
) -> Result<(), ValidationError> {
    check::required("interactive.action.catalog_id", catalog_id)?;
    check::required(
        "interactive.action.product_retailer_id",
        product_retailer_id,
    )
}

pub(super) fn validate_product_list(
    catalog_id: &str,
    sections: &[ProductSection],
) -> Result<(), ValidationError> {
    check::required("interactive.action.catalog_id", catalog_id)?;
    validate_sections("interactive.action.sections", sections)
}
