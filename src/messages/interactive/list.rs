//! List messages (`type: list`): a button that opens sections of rows; the chosen row comes
//! back as a `list_reply` webhook carrying the row's id.

use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

/// The longest label of the button that opens a list.
pub const MAX_LIST_BUTTON_LEN: usize = 20;
/// The most sections in a list.
pub const MAX_LIST_SECTIONS: usize = 10;
/// The most rows in a list, all sections together.
pub const MAX_LIST_ROWS: usize = 10;
/// The longest section title.
pub const MAX_SECTION_TITLE_LEN: usize = 24;
/// The longest row id.
pub const MAX_ROW_ID_LEN: usize = 200;
/// The longest row title.
pub const MAX_ROW_TITLE_LEN: usize = 24;
/// The longest row description.
pub const MAX_ROW_DESCRIPTION_LEN: usize = 72;

/// A section of a list: an optional title (required when there are several) and its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Section {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    rows: Vec<Row>,
}

impl Section {
    /// An untitled section (fine when the list has one section).
    pub fn new(rows: impl IntoIterator<Item = Row>) -> Self {
        Section {
            title: None,
            rows: rows.into_iter().collect(),
        }
    }

    /// Sets the section's title (at most 24 characters).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds a row.
    pub fn row(mut self, row: Row) -> Self {
        self.rows.push(row);
        self
    }
}

/// A row of a list section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Row {
    id: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl Row {
    /// A row with a unique `id` (at most 200 characters) and a `title` (at most 24).
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Row {
            id: id.into(),
            title: title.into(),
            description: None,
        }
    }

    /// A description under the title (at most 72 characters).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// A section title: required when there are several sections, at most 24 characters. Shared
/// with product lists, whose sections follow the same rule.
pub(super) fn section_title(
    path: &str,
    title: Option<&str>,
    sections: usize,
) -> Result<(), ValidationError> {
    match title {
        Some(title) => check::text(&format!("{path}.title"), title, MAX_SECTION_TITLE_LEN),
        None if sections > 1 => Err(ValidationError::new(
            format!("{path}.title"),
            "is required when a message has more than one section",
        )),
        None => Ok(()),
    }
}

pub(super) fn validate(button: &str, sections: &[Section]) -> Result<(), ValidationError> {
    check::text("interactive.action.button", button, MAX_LIST_BUTTON_LEN)?;
    if sections.is_empty() || sections.len() > MAX_LIST_SECTIONS {
        return Err(ValidationError::new(
            "interactive.action.sections",
            format!(
                "holds {} sections; Meta allows 1 to {MAX_LIST_SECTIONS}",
                sections.len()
            ),
        ));
    }
    let total: usize = sections.iter().map(|section| section.rows.len()).sum();
    if total > MAX_LIST_ROWS {
        return Err(ValidationError::new(
            "interactive.action.sections",
            format!("hold {total} rows in all; Meta allows at most {MAX_LIST_ROWS}"),
        ));
    }
    let mut ids: Vec<&str> = Vec::with_capacity(total);
    for (s, section) in sections.iter().enumerate() {
        let path = format!("interactive.action.sections[{s}]");
        section_title(&path, section.title.as_deref(), sections.len())?;
        if section.rows.is_empty() {
            return Err(ValidationError::new(
                format!("{path}.rows"),
                "must hold at least one row",
            ));
        }
        for (r, row) in section.rows.iter().enumerate() {
            let row_path = format!("{path}.rows[{r}]");
            check::text(&format!("{row_path}.id"), &row.id, MAX_ROW_ID_LEN)?;
            check::text(&format!("{row_path}.title"), &row.title, MAX_ROW_TITLE_LEN)?;
            if let Some(description) = &row.description {
                check::max_chars(
                    &format!("{row_path}.description"),
                    description,
                    MAX_ROW_DESCRIPTION_LEN,
                )?;
            }
            if ids.contains(&row.id.as_str()) {
                return Err(ValidationError::new(
                    format!("{row_path}.id"),
                    format!("`{}` is used by an earlier row; ids must be unique", row.id),
                ));
            }
            ids.push(&row.id);
        }
    }
    Ok(())
}
