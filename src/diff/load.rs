//! Reads one template file into JSON through the shared reader (`crate::reader`: JSON and
//! YAML with short-form tags, positions for messages).

use std::path::Path;

use serde_json::Value as Json;

use crate::error::Error;

/// Reads a template file and checks the shape the diff relies on; problems are reported
/// with `file:line:column`.
pub(crate) fn read_template(path: &Path) -> Result<Json, Error> {
    let loaded = crate::reader::load(path)?;
    if let Err(bad) = super::set::check_template(&loaded.value) {
        return Err(Error::input(
            format!("{}: {}", loaded.location(&bad.pointer), bad.message),
            Some(bad.help),
        ));
    }
    Ok(loaded.value)
}
