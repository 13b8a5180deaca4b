//! wacloud
