//! Small checks shared by the message families, each returning a [`ValidationError`] that
//! names the field by its JSON path, so callers see exactly which part of a message is wrong.

use crate::error::ValidationError;

/// Characters (Unicode scalar values) in `value`: Meta counts characters, not bytes.
pub(crate) fn chars(value: &str) -> usize {
    value.chars().count()
}

/// `value` must hold something other than whitespace.
pub(crate) fn required(path: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(path, "must not be empty"));
    }
    Ok(())
}

/// `value` must be at most `max` characters.
pub(crate) fn max_chars(path: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    // At most `max` bytes is at most `max` characters: only a longer value is counted.
    if value.len() <= max {
        return Ok(());
    }
    let count = chars(value);
    if count > max {
        return Err(ValidationError::new(
            path,
            format!("is {count} characters; Meta allows at most {max}"),
        ));
    }
    Ok(())
}

/// `value` must be non-empty and at most `max` characters.
pub(crate) fn text(path: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    required(path, value)?;
    max_chars(path, value, max)
}

/// `value` must be an absolute `http` or `https` URL, the only schemes Meta fetches.
pub(crate) fn web_url(path: &str, value: &str) -> Result<(), ValidationError> {
    required(path, value)?;
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        Ok(url) => Err(ValidationError::new(
            path,
            format!(
                "must be an http or https URL with a host, not `{}:`",
                url.scheme()
            ),
        )),
        Err(err) => Err(ValidationError::new(
            path,
            format!("is not a valid URL: {err}"),
        )),
    }
}
